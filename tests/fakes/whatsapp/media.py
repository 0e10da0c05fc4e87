"""Media on the fake Graph API, as the Cloud API documents it ("Media" reference):

- POST /{version}/{phone-number-id}/media, multipart: `messaging_product=whatsapp`, `type` (the
  MIME type) and `file` -> {"id": media id}. Only the supported types, within their sizes.
- GET /{version}/{media-id} -> {"url", "mime_type", "sha256", "file_size", "id",
  "messaging_product"}; the URL works for 5 minutes, with the same bearer token.
- A `document` message names an uploaded media id (or a link), an optional caption (at most
  1,024 characters) and an optional filename.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram.errors import TelegramAPIError
from tests.fakes.telegram.records import Upload
from tests.fakes.telegram.wire import parse_multipart
from tests.fakes.whatsapp.errors import GraphAPIError

JSONDict = dict[str, Any]

MB = 1024 * 1024
DOCUMENT_TYPES = frozenset(
    {
        "text/plain",
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)
SIZES = {"image/jpeg": 5 * MB, "image/png": 5 * MB} | {kind: 100 * MB for kind in DOCUMENT_TYPES}
URL_LIFETIME = 300.0  # seconds a media URL can be downloaded from
CAPTION_MAX = 1024


@dataclass
class Media:
    content: bytes
    mime: str
    filename: str | None
    uploaded: bool  # by the business (True) or sent by a person (False)


class MediaStore:
    def __init__(self, token: str, clock: Callable[[], float]) -> None:
        self.token = token
        self.clock = clock
        self.files: dict[str, Media] = {}
        self.uploads: list[str] = []  # media ids the business uploaded, in order
        self.downloads: list[str] = []  # media ids the business downloaded
        self._urls: dict[str, tuple[str, float]] = {}  # url key -> (media id, expiry)
        self._ids = itertools.count(4_490_000_000_000_001)
        self.base = ""  # the server's URL, set once it listens

    def person_sent(self, content: bytes, mime: str, filename: str | None = None) -> str:
        """A file a person sends: kept by Meta, its media id goes in the webhook."""
        media_id = str(next(self._ids))
        self.files[media_id] = Media(content, mime, filename, uploaded=False)
        return media_id

    def upload(self, body: bytes, content_type: str) -> JSONDict:
        try:
            form = parse_multipart(body, content_type)
        except TelegramAPIError:
            raise GraphAPIError(100, "the body is not multipart/form-data") from None
        if form.get("messaging_product") != "whatsapp":
            raise GraphAPIError(100, "messaging_product must be whatsapp")
        upload, mime = form.get("file"), form.get("type")
        if not isinstance(upload, Upload) or not upload.data:
            raise GraphAPIError(100, "file is required")
        if not isinstance(mime, str) or mime not in SIZES:
            raise GraphAPIError(131053, f"Media upload error: type {mime!r} is not supported")
        if upload.content_type.split(";")[0].strip() != mime:
            raise GraphAPIError(131053, "Media upload error: the file's type is not `type`")
        if len(upload.data) > SIZES[mime]:
            raise GraphAPIError(131053, "Media upload error: the file is too large")
        media_id = str(next(self._ids))
        self.files[media_id] = Media(upload.data, mime, upload.filename, uploaded=True)
        self.uploads.append(media_id)
        return {"id": media_id}

    def info(self, media_id: str) -> JSONDict:
        media = self.files.get(media_id)
        if media is None:
            raise GraphAPIError(
                100,
                f"Unsupported get request. Object with ID '{media_id}' does not exist",
                status=400,
            )
        key = secrets.token_urlsafe(12)
        self._urls[key] = (media_id, self.clock() + URL_LIFETIME)
        digest = base64.b64encode(hashlib.sha256(media.content).digest()).decode()
        return {
            "messaging_product": "whatsapp",
            "url": f"{self.base}/whatsapp_business/attachments/?mid={key}",
            "mime_type": media.mime,
            "sha256": digest,
            "file_size": len(media.content),
            "id": media_id,
        }

    def download(self, key: str, authorization: str) -> bytes | None:
        """The bytes behind a media URL; None (404) for an unknown or expired URL or no token."""
        found = self._urls.get(key)
        if authorization != f"Bearer {self.token}" or found is None:
            return None
        media_id, expiry = found
        if self.clock() > expiry:
            return None
        self.downloads.append(media_id)
        return self.files[media_id].content

    def check_image(self, payload: JSONDict) -> None:
        """An image message: an uploaded PNG or JPEG by id (or a link), an optional caption."""
        image = payload.get("image")
        if not isinstance(image, dict):
            raise GraphAPIError(131008, "image is required and must be an object")
        media_id, link = image.get("id"), image.get("link")
        if (media_id is None) == (link is None):
            raise GraphAPIError(131008, "image needs exactly one of id and link")
        if media_id is not None:
            media = self.files.get(media_id) if isinstance(media_id, str) else None
            if media is None:
                raise GraphAPIError(131053, "Media upload error: unknown media id")
            if not media.mime.startswith("image/"):
                raise GraphAPIError(131053, "Media upload error: the media is not an image")
        caption = image.get("caption")
        if caption is not None and (not isinstance(caption, str) or len(caption) > CAPTION_MAX):
            raise GraphAPIError(100, f"image.caption is longer than {CAPTION_MAX} characters")

    def check_document(self, payload: JSONDict) -> None:
        document = payload.get("document")
        if not isinstance(document, dict):
            raise GraphAPIError(131008, "document is required and must be an object")
        media_id, link = document.get("id"), document.get("link")
        if (media_id is None) == (link is None):
            raise GraphAPIError(131008, "document needs exactly one of id and link")
        if media_id is not None and (not isinstance(media_id, str) or media_id not in self.files):
            raise GraphAPIError(131053, "Media upload error: unknown media id")
        caption = document.get("caption")
        if caption is not None and (not isinstance(caption, str) or len(caption) > CAPTION_MAX):
            raise GraphAPIError(100, f"document.caption is longer than {CAPTION_MAX} characters")
        filename = document.get("filename")
        if filename is not None and (not isinstance(filename, str) or not filename.strip()):
            raise GraphAPIError(100, "document.filename must be a non-empty string")
