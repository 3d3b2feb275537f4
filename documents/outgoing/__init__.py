"""Outgoing documents (发文): 拟稿 → 核稿 → 会签 → 合法性审查 → 签发 → 复核/登记 (number) → 印制 → 核发.

A package beside the incoming code (DOMAIN.md §1.5, §2, §6.2):

- `models`: series (机关代字 and its red header), the document, its versions, co-signing, legality
  review, the issue-number ledger (issued and voided numbers), distribution;
- `body`: the structured body (paragraphs and the four heading levels);
- `lint`: the 行文规则 checks run before signature;
- `services`: every transition;
- `typeset`: the GB/T 9704-2012 PDF;
- `forms`, `views`, `urls`, `admin`.
"""
