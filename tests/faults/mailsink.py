"""An e-mail backend for the fault suite: one file per message, named by its Message-ID, and a
delay per message (FAULTS_MAIL_DELAY seconds) so a delivery task is still running when the suite
pulls the broker away. Counting files per Message-ID counts what people would have received."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class SlowFileBackend(BaseEmailBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or os.environ["EMAIL_FILE_PATH"])
        self.folder.mkdir(parents=True, exist_ok=True)
        self.delay = float(os.environ.get("FAULTS_MAIL_DELAY", "0"))

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            time.sleep(self.delay)
            msgid = message.message()["Message-ID"].strip("<>").replace("/", "_")
            target = self.folder / f"{msgid}.{uuid.uuid4().hex[:8]}.eml"
            target.write_bytes(message.message().as_bytes())
            sent += 1
        return sent
