"""The firebase-admin app of a Firebase project, shared by sign-in and push."""

from __future__ import annotations

import os
from typing import Any

import firebase_admin
from firebase_admin import credentials


class _AnonymousCredential(credentials.Base):
    """No Google credentials: enough for ID-token verification, which uses public keys."""

    def get_credential(self) -> Any:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()


def firebase_app(project_id: str) -> firebase_admin.App:
    """The firebase-admin app for ``project_id``, created once per process.

    With ``GOOGLE_APPLICATION_CREDENTIALS`` (a service account, needed to send through FCM)
    it uses those; without, only what needs no credentials works (verifying ID tokens).
    """
    name = f"smartapp-{project_id}"
    try:
        return firebase_admin.get_app(name)
    except ValueError:
        credential = (
            credentials.ApplicationDefault()
            if os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
            else _AnonymousCredential()
        )
        return firebase_admin.initialize_app(
            credential=credential, options={"projectId": project_id}, name=name
        )
