"""HTML parse mode: a port of tdlib's parse_html (td/telegram/MessageEntity.cpp)."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.telegram.wire import utf16_len

JSONDict = dict[str, Any]


class HTMLParseError(ValueError):
    """Telegram would answer "Bad Request: can't parse entities: <message>"."""


HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
SIMPLE_ENTITY = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
SPACES = frozenset(b" \t\r\n\v\x00")
_LT, _GT, _AMP, _SLASH, _EQ = ord("<"), ord(">"), ord("&"), ord("/"), ord("=")
SPECIAL = re.compile(rb"[<&]")
SPECIAL_STRICT = re.compile(rb"[<&>]")


def decode_html_entity(raw: bytes, pos: int) -> tuple[int, int]:
    """Decode the entity at ``raw[pos] == '&'``: (code point or 0, position after it)."""
    n = len(raw)
    end = pos + 1
    res = 0
    if end < n and raw[end] == ord("#"):
        end += 1
        if end < n and raw[end] == ord("x"):
            end += 1
            while end < n and chr(raw[end]) in "0123456789abcdefABCDEF":
                res = res * 16 + int(chr(raw[end]), 16)
                end += 1
        else:
            while end < n and 48 <= raw[end] <= 57:
                res = res * 10 + raw[end] - 48
                end += 1
        if res == 0 or res >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while end < n and chr(raw[end]).isalpha() and raw[end] < 128:
            end += 1
        name = raw[pos + 1 : end]
        res = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}.get(name, 0)
        if res == 0:
            return 0, pos
    if end < n and raw[end] == ord(";"):
        end += 1
    return res, end


def checked_link(url: str) -> str:
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return ""
    lower = url.lower()
    if lower.startswith(("tg:", "ton:", "tonsite:")):
        return url
    if "://" not in url:
        url = "http://" + url
        lower = url.lower()
    if not lower.startswith(("http://", "https://")):
        return ""
    rest = url.split("://", 1)[1]
    if not rest or rest[0] in "/?#":
        return ""
    if "/" not in rest and "?" not in rest and "#" not in rest:
        url += "/"
    return url


def parse_html(text: str, *, strict: bool = False) -> tuple[str, list[JSONDict]]:
    """Parse Telegram HTML like tdlib does: returns (plain text, Bot API entities).

    Raises HTMLParseError with Telegram's message (byte offsets are UTF-8 offsets in
    ``text``).  Real Telegram tolerates a bare ``&`` that starts no entity and a bare
    ``>``; with ``strict=True`` those are rejected too (useful to prove that user input
    was escaped with ``html.escape``).
    """
    raw = text.encode("utf-8", "surrogatepass")
    pattern = SPECIAL_STRICT if strict else SPECIAL
    if pattern.search(raw) is None:
        return text, []
    n = len(raw)

    def at(k: int) -> int:
        return raw[k] if k < n else 0

    out = bytearray()
    utf16 = 0
    # (tag name, argument, utf16 offset, byte position in out)
    nested: list[tuple[str, str, int, int]] = []
    entities: list[JSONDict] = []
    i = 0
    while i < n:
        m = pattern.search(raw, i)
        stop = m.start() if m is not None else n
        if stop > i:
            chunk = raw[i:stop]
            out += chunk
            utf16 += utf16_len(chunk.decode("utf-8", "surrogatepass"))
            i = stop
            if i >= n:
                break
        c = raw[i]
        if c == _AMP:
            code, after = decode_html_entity(raw, i)
            if code:
                if 0xD800 <= code <= 0xDFFF:
                    raise HTMLParseError(
                        "Text contains invalid Unicode characters after decoding HTML entities,"
                        " check for unmatched surrogate code units"
                    )
                out += chr(code).encode("utf-8")
                utf16 += 2 if code > 0xFFFF else 1
                i = after
                continue
            if strict:
                raise HTMLParseError(
                    f'Unescaped "&" at byte offset {i} (fake strict mode: real Telegram'
                    " shows it literally; escape user text with html.escape)"
                )
            out.append(c)
            utf16 += 1
            i += 1
            continue
        if c == _GT:  # only reachable in strict mode
            raise HTMLParseError(
                f'Unescaped ">" at byte offset {i} (fake strict mode: real Telegram shows it'
                " literally; escape user text with html.escape)"
            )
        # c == '<'
        begin = i
        i += 1
        if at(i) != _SLASH:
            while at(i) not in SPACES and at(i) != _GT:
                i += 1
            if i >= n:
                raise HTMLParseError(f"Unclosed start tag at byte offset {begin}")
            tag = raw[begin + 1 : i].decode("utf-8", "replace").lower()
            if tag not in HTML_TAGS:
                raise HTMLParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while at(i) != _GT:
                while i < n and at(i) in SPACES:
                    i += 1
                if at(i) == _GT:
                    break
                attr_begin = i
                while at(i) not in SPACES and at(i) != _EQ:
                    i += 1
                attr_name = raw[attr_begin:i].decode("utf-8", "replace")
                if not attr_name:
                    raise HTMLParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while i < n and at(i) in SPACES:
                    i += 1
                if at(i) != _EQ:
                    raise HTMLParseError(
                        "Expected equal sign in declaration of an attribute of the tag"
                        f' "{tag}" at byte offset {begin}'
                    )
                i += 1
                while i < n and at(i) in SPACES:
                    i += 1
                if i >= n:
                    raise HTMLParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in (ord("'"), ord('"')):
                    token_begin = i
                    while (chr(at(i)).isalnum() and at(i) < 128) or at(i) in (ord("."), ord("-")):
                        i += 1
                    value = raw[token_begin:i].decode("ascii").lower()
                    if at(i) not in SPACES and at(i) != _GT:
                        raise HTMLParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    buf = bytearray()
                    while i < n and at(i) != quote:
                        if at(i) == _AMP:
                            code, after = decode_html_entity(raw, i)
                            if code:
                                buf += chr(code).encode("utf-8", "surrogatepass")
                                i = after
                                continue
                        buf.append(at(i))
                        i += 1
                    if at(i) == quote and i < n:
                        i += 1
                    value = buf.decode("utf-8", "replace")
                if i >= n:
                    raise HTMLParseError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[9:]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[3:]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise HTMLParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            nested.append((tag, argument, utf16, len(out)))
            i += 1  # skip '>'
            continue
        # end tag
        if not nested:
            raise HTMLParseError(f"Unexpected end tag at byte offset {begin}")
        while at(i) not in SPACES and at(i) != _GT:
            i += 1
        end_name = raw[begin + 2 : i].decode("utf-8", "replace").lower()
        while i < n and at(i) in SPACES:
            i += 1
        if at(i) != _GT:
            raise HTMLParseError(f"Unclosed end tag at byte offset {begin}")
        tag, argument, start, start_pos = nested.pop()
        if end_name and end_name != tag:
            raise HTMLParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", found "</{end_name}>"'
            )
        i += 1  # skip '>'
        if utf16 <= start:
            continue
        length = utf16 - start
        kind = SIMPLE_ENTITY.get(tag)
        if kind is not None:
            entities.append({"type": kind, "offset": start, "length": length})
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise HTMLParseError("Invalid custom emoji identifier specified")
            entities.append(
                {
                    "type": "custom_emoji",
                    "offset": start,
                    "length": length,
                    "custom_emoji_id": argument,
                }
            )
        elif tag == "a":
            url = argument or out[start_pos:].decode("utf-8", "replace")
            url = checked_link(url)
            if url:
                entities.append(
                    {"type": "text_link", "offset": start, "length": length, "url": url}
                )
        elif tag == "pre":
            last = entities[-1] if entities else None
            if (
                last is not None
                and last["type"] == "code"
                and last["offset"] == start
                and last["length"] == length
                and last.get("language")
            ):
                last["type"] = "pre"
            else:
                entities.append({"type": "pre", "offset": start, "length": length})
        else:  # code
            last = entities[-1] if entities else None
            if (
                last is not None
                and last["type"] == "pre"
                and last["offset"] == start
                and last["length"] == length
                and argument
            ):
                last["language"] = argument
            else:
                entity: JSONDict = {"type": "code", "offset": start, "length": length}
                if argument:
                    entity["language"] = argument
                entities.append(entity)
    if nested:
        raise HTMLParseError(f"Can't find end tag corresponding to start tag {nested[-1][0]}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.decode("utf-8", "surrogatepass"), entities


def trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Telegram strips leading/trailing whitespace of message texts; keep entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    fixed: list[JSONDict] = []
    for entity in entities:
        begin = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > begin:
            fixed.append({**entity, "offset": begin, "length": end - begin})
    return stripped, fixed
