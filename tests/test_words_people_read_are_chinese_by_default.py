"""What people read is Chinese by default and English on request (Accept-Language, hub --lang), from one
message catalogue; codes never change with the language; enumerations are shown by their labels."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hub.enums import ApplicationStatus, PostCategory, label
from hub.i18n import LOCALES, catalogue, negotiate, speaking
from tests.conftest import Client
from tests.seed import seed_reference
from tests.test_volunteer_registers_and_applies import MALE_ID, REGISTER, registration

ROOT = Path(__file__).resolve().parent.parent


async def _register(client: Client, language: str | None) -> tuple[dict, dict]:  # type: ignore[type-arg]
    headers = {"authorization": f"Bearer {client.token('volunteer', sub='vol-lang')}"}
    if language:
        headers["accept-language"] = language
    bad = registration(MALE_ID[:-1] + ("0" if MALE_ID[-1] != "0" else "1"))
    body = {"query": REGISTER, "variables": bad}
    response = await client.http.post("/graphql", json=body, headers=headers)
    assert response.json().get("data"), response.text
    return response.json()["data"]["registerVolunteer"]["userErrors"][0], dict(response.headers)


async def test_user_errors_are_chinese_unless_english_is_asked_for(client: Client) -> None:
    await seed_reference(client.hub)
    chinese, headers = await _register(client, None)
    assert chinese["message"].endswith("身份证号码的校验码不符（GB 11643）")
    assert headers["content-language"] == "zh"
    english, headers = await _register(client, "en-GB,en;q=0.9,zh;q=0.5")
    assert english["message"].endswith("the check character of the identity number does not match (GB 11643)")
    assert headers["content-language"] == "en"
    assert chinese["code"] == english["code"] == "INVALID_INPUT"  # codes never change
    assert (await _register(client, "fr-FR"))[0]["message"] == chinese["message"]


def test_languages_are_negotiated_from_accept_language() -> None:
    assert negotiate(None) == negotiate("") == negotiate("de") == "zh"
    assert negotiate("en") == negotiate("en-US,zh;q=0.1") == "en"
    assert negotiate("zh-CN,en;q=0.8") == negotiate("en;q=0.2,zh-Hans;q=0.9") == "zh"


def test_enumerations_are_shown_by_their_labels() -> None:
    assert label(ApplicationStatus.IN_SERVICE) == "在岗服务"
    assert label(PostCategory.RURAL_EDUCATION) == "乡村教育"
    with speaking("en"):
        assert label(ApplicationStatus.IN_SERVICE) == "In service"
    assert all(label(status, "zh") != status.name for status in ApplicationStatus)  # every status has a label


SOURCES = ("hub", "plugins", "examples/local-project")  # what tools/zh_catalogue.py's pybabel extract reads


def _messages_of_the_code() -> set[str]:
    found = set()
    for folder in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
        ):
            found.add(message)
    return found


def test_every_message_of_the_code_is_in_the_chinese_catalogue() -> None:
    translated = catalogue("zh")
    missing = sorted(m for m in _messages_of_the_code() if translated.gettext(m) == m)
    assert not missing, f"run tools/zh_catalogue.py after adding these to it: {missing}"
    assert (LOCALES / "zh" / "LC_MESSAGES" / "hub.po").exists()


def test_every_msgid_of_the_template_has_a_chinese_translation() -> None:
    """hub/locale/hub.pot is the code's messages as extracted (regenerated with the command in
    tools/zh_catalogue.py), and the Chinese catalogue translates each of them."""
    with (LOCALES / "hub.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    with (LOCALES / "zh" / "LC_MESSAGES" / "hub.po").open("rb") as handle:
        chinese = {m.id: m.string for m in read_po(handle, locale="zh") if m.id}
    code = _messages_of_the_code()
    assert not sorted(code - template), f"hub.pot is stale, regenerate it: {sorted(code - template)}"
    assert not sorted(template - code), f"hub.pot holds messages the code no longer has: {sorted(template - code)}"
    untranslated = sorted(msgid for msgid in template if not chinese.get(msgid))
    assert not untranslated, f"msgids without a Chinese translation (tools/zh_catalogue.py): {untranslated}"
