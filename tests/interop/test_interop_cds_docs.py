"""Each CDS card's ``source.url`` opens plexnav's own page about it; a triage card on which a red-flag
rule fired opens that rule's page (level, rationale, sources from triage_rules.yaml)."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

import pytest
from cds_jwt_support import BASE, TestClientKey, auth_for
from fastapi.testclient import TestClient
from test_interop_cds_http import AUDIENCE, URGENT, _ehr_body, _post, _post_hip_xray_order

from plexnav.case import Case
from plexnav.engine.assess import assess
from plexnav.interop import cds_docs, cds_hooks
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.validation import validate_case

RED_FLAG_FREE = {
    "format": "plexnav-case/1",
    "symptoms": [{"kind": "numbness", "region": "lateral_thigh", "side": "left"}],
}


@pytest.fixture(scope="module")
def key() -> TestClientKey:
    return TestClientKey()


def _client(tmp_path_factory, key, **settings):
    from plexnav.api.app import create_app
    from plexnav.settings import Settings

    app = create_app(
        Settings(data_dir=tmp_path_factory.mktemp("cds-docs"), secret_key="test-secret-" + "k" * 32, **settings)
    )
    app.state.cds_auth = auth_for(key)
    return TestClient(app)


@pytest.fixture(scope="module")
def client(tmp_path_factory, key):
    with _client(tmp_path_factory, key) as c:
        yield c


def _rules() -> dict[str, dict]:
    kb = load_guidance_knowledge()
    return {r["id"]: {**r, "level": lvl["level"]} for lvl in kb.triage for r in lvl.get("rules", ())}


def _get(client, url: str):
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url  # absolute, on this server
    return client.get(parts.path)


def test_a_fired_rule_links_the_triage_card_to_that_rules_page(client, key):
    case: Case = validate_case(URGENT)[0]
    fired = assess(case).triage.rules
    assert fired, "the urgent case fires a red-flag rule"
    r = _post(client, cds_hooks.request_for(URGENT), key.token(AUDIENCE))
    assert r.status_code == 200, r.text
    triage = r.json()["cards"][0]
    assert triage["source"]["topic"]["code"] == "triage"
    assert triage["source"]["url"] == f"{BASE}/cds-services/docs/rules/{fired[0]}"
    page = _get(client, triage["source"]["url"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    rule = _rules()[fired[0]]
    assert html.escape(rule["why"]) in page.text
    assert f"Level: <strong>{rule['level']}</strong>" in page.text
    for citation in load_guidance_knowledge().cite(rule["sources"]):
        assert html.escape(citation) in page.text
    assert "plexnav supports clinical judgement; it never replaces it." in page.text


def test_every_card_links_to_the_section_that_explains_it(client, key):
    r = _post(client, cds_hooks.request_for(RED_FLAG_FREE), key.token(AUDIENCE))
    cards = r.json()["cards"]
    assert {c["source"]["topic"]["code"] for c in cards} >= {"triage", "localization"}
    docs = _get(client, f"{BASE}/cds-services/docs")
    assert docs.status_code == 200
    for card in cards:
        topic = card["source"]["topic"]["code"]
        section = cds_docs.TOPIC_SECTION[topic]
        assert card["source"]["url"] == f"{BASE}/cds-services/docs#{section}", card["summary"]
        assert f'<section id="{section}">' in docs.text
    # no rule fired: the triage card explains the policy, not a rule
    assert cards[0]["source"]["url"].endswith("#triage")


def test_the_not_read_card_links_to_its_section(client, key):
    r = _post(client, _ehr_body(), key.token(AUDIENCE))
    unread = [c for c in r.json()["cards"] if c["source"]["topic"]["code"] == "unread"]
    assert unread and unread[0]["source"]["url"] == f"{BASE}/cds-services/docs#unread"


def test_order_cards_link_to_the_order_section(client, key):
    r = _post_hip_xray_order(client, key, "order-select", "ord-docs")
    (card,) = [c for c in r.json()["cards"] if c["source"]["topic"]["code"] == "order-check"]
    assert card["source"]["url"] == f"{BASE}/cds-services/docs#orders"


def test_every_triage_rule_has_a_page_and_the_index_lists_it(client):
    index = client.get("/cds-services/docs").text
    for rule_id, rule in _rules().items():
        page = client.get(f"/cds-services/docs/rules/{rule_id}")
        assert page.status_code == 200, rule_id
        assert html.escape(rule["why"]) in page.text and html.escape(rule["why"]) in index
        assert f"/cds-services/docs/rules/{rule_id}" in index


def test_an_unknown_rule_is_404(client):
    page = client.get("/cds-services/docs/rules/emergency.nothing_like_this")
    assert page.status_code == 404 and "No triage rule" in page.text


def test_the_links_use_the_public_address_when_set(tmp_path_factory, key):
    with _client(tmp_path_factory, key, public_url="https://plexnav.hospital.example/") as c:
        r = _post(c, cds_hooks.request_for(URGENT), key.token(AUDIENCE))
        url = r.json()["cards"][0]["source"]["url"]
        assert url.startswith("https://plexnav.hospital.example/cds-services/docs/rules/")


def test_without_a_docs_address_the_pure_function_gives_no_url():
    answer = cds_hooks.cds_service_response(cds_hooks.request_for(URGENT))
    assert all("url" not in card["source"] for card in answer["cards"])
