"""Demo records of the portal: the charter's texts (in Simplified characters, shortened from
../shared/seed/office-charter.txt), a few service guides, and one unpublished guide that no
public page may show."""

from __future__ import annotations

from .models import PublicText, ServiceGuide

INTRO = (
    "市政府办公室是市政府机关的综合部门，既有承上启下、协调左右、联系内外的纽带作用，"
    "又有传递信息、研究政策、辅佐决策的参谋助手作用。"
)

DUTIES = [
    "受市政府委托组织传达、贯彻上级和市委、市政府的指示、决议、决定及工作部署，检查督促落实。",
    "调查研究，综合分析，提出建议，为市领导决策提供参考。",
    "组织筹备市政府召开的各种综合性会议，协同有关部门做好专业性会议的准备工作。",
    "负责市政府综合性文件材料的起草、印刷、翻译工作和专业性文件的核稿工作；审查上报规范性文件备案。",
    "负责市政府常务会议、政务会议和有关会议的通知、记录、纪要整理等工作。",
    "负责文件的收发、承办、缮印、立卷、归档和档案管理及保密工作。",
    "接待人民群众的来信来访，检查催办转给有关部门的信访事项的处理和落实情况。",
    "负责对外交流、对外联络工作。",
    "负责管理市政府驻外联络机构和政府各种接待服务工作。",
    "负责管理市政府机关事务，处理市政府日常事务。",
    "负责市政府办公大楼、大院的日常管理和维护工作。",
    "负责机关大院及所属各单位的精神文明建设、法制、安全防火及保卫工作。",
    "协调市政府各部门之间的关系；负责各街道办事处的综合、协调工作。",
    "收集、综合、反馈市内外重要信息。",
    "承办市委、市政府交办的其他工作。",
]

COMMITMENTS = [
    "实行政务公开：主动公开政策决定和规范性文件、机构设置、工作职责和办事指南，接受社会监督。",
    "推行首问责任制：第一位接待您的工作人员就是首问责任人，负责解答、办理或引导，不推诿。",
    "规范信访接待：认真倾听群众呼声，及时协调解决信访人提出的实际问题。",
    "实行限时办结制：能当场办结的当场办结；不能当场办结的，告知办理时限并按时办结。",
    "做到“五不让”“七办”：不让来办事的同志受冷落，不让工作在我手里延误。",
    "实行挂牌上岗，公开岗位身份，接受社会评议，虚心接受群众批评和社会监督。",
]

TEXTS = [
    ("intro", "机构简介", INTRO, True),
    ("duties", "主要职责", "\n\n".join(f"（{i}）{d}" for i, d in enumerate(DUTIES, 1)), True),
    ("commitments", "服务承诺", "\n\n".join(COMMITMENTS), True),
]

GUIDES = [
    {
        "slug": "disclosure-request",
        "title": "政府信息依申请公开",
        "summary": "公民、法人或其他组织可以向本机关申请获取政府信息。",
        "materials": "申请人身份证明（身份证或营业执照）复印件\n政府信息公开申请表（可在线填写）",
        "place": "市政府办公楼一楼综合科",
        "hours": "工作日 上午8:30—12:00，下午14:30—17:30",
        "time_limit": "能够当场答复的当场答复；不能当场答复的，自收到申请之日起20个工作日内答复，"
        "需要延长的延长不超过20个工作日",
        "fees": "不收费",
        "legal_basis": "《中华人民共和国政府信息公开条例》第二十七条至第四十五条",
        "section": "general",
        "published": True,
    },
    {
        "slug": "petition-visit",
        "title": "来访接待",
        "summary": "群众来访反映问题、提出建议和意见。",
        "materials": "本人身份证\n反映问题的相关材料（如有）",
        "place": "市政府办公楼一楼信访接待室",
        "hours": "工作日 上午8:30—12:00，下午14:30—17:30",
        "time_limit": "15日内告知是否受理；受理后60日内办结",
        "fees": "不收费",
        "legal_basis": "《信访工作条例》",
        "section": "general",
        "published": True,
    },
    {
        "slug": "document-submission",
        "title": "向市政府报送公文",
        "summary": "各单位向市政府报送请示、报告等公文。",
        "materials": "正式公文一式三份（加盖公章）\n电子文本\n相关附件",
        "place": "市政府办公楼二楼秘书科",
        "hours": "工作日 上午8:30—12:00，下午14:30—17:30",
        "time_limit": "请示件3个工作日内答复",
        "fees": "不收费",
        "legal_basis": "《党政机关公文处理工作条例》",
        "section": "secretariat",
        "published": True,
    },
    {
        "slug": "draft-venue-booking",
        "title": "（草稿）会议室借用",
        "summary": "尚未审定，不对外公开。",
        "materials": "借用申请",
        "place": "行政科",
        "section": "administration",
        "published": False,
    },
]


def seed_demo() -> str:
    from office.models import Section

    texts = 0
    for order, (slug, title, body, published) in enumerate(TEXTS, start=1):
        _obj, created = PublicText.objects.get_or_create(
            slug=slug,
            defaults={"title": title, "body": body, "published": published, "display_order": order},
        )
        texts += created
    sections = {s.code: s for s in Section.objects.all()}
    guides = 0
    for order, row in enumerate(GUIDES, start=1):
        row = dict(row)
        section = sections.get(row.pop("section"))
        _obj, created = ServiceGuide.objects.get_or_create(
            slug=row.pop("slug"), defaults={**row, "section": section, "display_order": order}
        )
        guides += created
    return f"{texts} new public texts, {guides} new service guides"
