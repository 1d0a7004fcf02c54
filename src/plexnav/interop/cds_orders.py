"""CDS Hooks ``order-select`` and ``order-sign``: does the test being ordered fit the localization?

Why: the moment a clinician orders a lumbar MRI for what the findings place at the fibular
head (or an EMG where plexnav proposes an urgent MRI) is when a second look helps.  The check is
plexnav's own work-up: an order fits when its test is in the work-up of the assessment of the
findings recorded for the patient (read as for ``patient-view``, ConceptMaps included); the
clinical rules stay in the work-up data, none is written here.

- ``context.draftOrders`` is a FHIR Bundle; only its ServiceRequests are checked (for
  ``order-select``, only those named in ``context.selections`` when given).  A ServiceRequest's
  code is read through the ConceptMaps to a plexnav work-up test (``workup-test`` CodeSystem; a
  plexnav-coded request, e.g. one plexnav proposed, needs no map).
- One card per checked order: ``info`` when it is in plexnav's work-up (with its priority and
  timing), ``warning`` when it is not (with the leading localization and the tests plexnav
  proposes); one card names the orders whose code no map covers (not checked, never dropped).
- What could not be read from the record is named as on ``patient-view``; with no readable finding
  there is nothing to check the orders against and only that card is answered.
"""

from __future__ import annotations

from typing import Literal

from plexnav.case import Assessment
from plexnav.engine.wording import site_label
from plexnav.interop import terms as T
from plexnav.interop.cds_docs import DocLinks
from plexnav.interop.cds_hooks import (
    ORDER_SERVICES,
    Card,
    CdsRequestError,
    CdsResponse,
    Fetch,
    _card_uuid,
    _clip,
    _footer,
    _md,
    _source,
    _unread_card,
    dump,
    read_call,
    unread_only,
)
from plexnav.interop.concept_maps import ConceptMaps, standard_maps
from plexnav.interop.fhir import describe_resource, workup_when

HOOK_OF_SERVICE = {service: hook for hook, service in ORDER_SERVICES.items()}


def _draft_requests(context: dict, hook: str) -> list[dict]:
    orders = context.get("draftOrders")
    if not isinstance(orders, dict) or orders.get("resourceType") != "Bundle":
        raise CdsRequestError(f"the '{hook}' hook's context needs draftOrders, a FHIR Bundle of the orders")
    resources = [e.get("resource") for e in orders.get("entry", ()) if isinstance(e, dict)]
    requests = [r for r in resources if isinstance(r, dict) and r.get("resourceType") == "ServiceRequest"]
    selections = context.get("selections")
    if hook == "order-select" and isinstance(selections, list) and selections:
        chosen = {str(s) for s in selections}
        requests = [r for r in requests if f"ServiceRequest/{r.get('id')}" in chosen]
    return requests


def _leading(a: Assessment) -> str:
    if not a.localization:
        return "no localization"
    top = a.localization[0]
    return f"{site_label(top.site, top.side, top.levels, top.detail)} ({T.percent(top.probability)})"


def _order_check(
    seed: str, key: str, indicator: Literal["info", "warning"], summary: str, detail: str, docs: DocLinks | None
) -> Card:
    """A card of the order check (its summary clipped to the CDS Hooks limit)."""
    return Card(
        uuid=_card_uuid(seed, key),
        indicator=indicator,
        summary=_clip(summary),
        detail=detail,
        source=_source("order-check", "order check", docs),
    )


def _order_card(test: str, order: dict, a: Assessment, seed: str, i: int, docs: DocLinks | None = None) -> Card:
    name = T.name("workup-test", test)
    planned = {w.test: w for w in a.workup}
    leading = _leading(a)
    proposed = (
        "\n".join(f"- **{_md(T.name('workup-test', w.test))}** ({_md(workup_when(w))}): {_md(w.why)}" for w in a.workup)
        or "- no test now"
    )
    if test in planned:
        w = planned[test]
        return _order_check(
            seed,
            f"order/{i}",
            "info",
            f"{name} fits plexnav's work-up for the leading site: {leading}",
            f"**{_md(name)}** is in plexnav's work-up ({_md(workup_when(w))}): {_md(w.why)}\n\n"
            f"Leading localization: {_md(leading)}.\n\n{_footer(a)}",
            docs,
        )
    return _order_check(
        seed,
        f"order/{i}",
        "warning",
        f"{name} is not in plexnav's work-up for the leading site: {leading}",
        f"The order ({_md(describe_resource(order))}) is not among the tests plexnav proposes for "
        f"the findings recorded. Leading localization: **{_md(leading)}**.\n\n"
        f"plexnav proposes:\n\n{proposed}\n\nThere may be reasons for this order that the record "
        f"does not show; plexnav only compares it with its own work-up.\n\n{_footer(a)}",
        docs,
    )


def _unchecked_card(orders: list[dict], seed: str, docs: DocLinks | None = None) -> Card:
    lines = "\n".join(f"- {_md(describe_resource(o))}" for o in orders[:12])
    return _order_check(
        seed,
        "order/unchecked",
        "info",
        f"plexnav could not check {len(orders)} order(s): no ConceptMap maps their code",
        f"plexnav does not know which of its tests these orders are, so it cannot say whether "
        f"they fit the localization:\n\n{lines}\n\n_{_md(T.DISCLAIMER)}_",
        docs,
    )


def order_response(
    service_id: str,
    body: dict | str | bytes,
    maps: ConceptMaps | None = None,
    fetch: Fetch | None = None,
    docs: DocLinks | None = None,
) -> dict:
    """Answer an ``order-select`` or ``order-sign`` call: a card per ServiceRequest being ordered
    (``docs``: where plexnav's documentation pages are served, for the cards' ``source.url``)."""
    from plexnav.engine.assess import assess

    hook = HOOK_OF_SERVICE[service_id]
    maps = maps if maps is not None else standard_maps()
    call = read_call(body, hook, service_id, maps, fetch)
    orders = _draft_requests(call.request.context, hook)
    if (answer := unread_only(call, docs)) is not None:
        return answer
    got, seed = call.read, call.request.hookInstance
    assert got.case is not None  # unread_only answered when no case was read
    assessment = assess(got.case)
    cards: list[Card] = []
    unchecked: list[dict] = []
    for i, order in enumerate(orders):
        codings = [c for c in (order.get("code") or {}).get("coding", ()) if isinstance(c, dict)]
        found, _ = maps.translate(codings, T.system("workup-test"))
        if found is None or found.code not in T.vocabularies()["workup-test"]:
            unchecked.append(order)
            continue
        cards.append(_order_card(found.code, order, assessment, seed, i, docs))
    if unchecked:
        cards.append(_unchecked_card(unchecked, seed, docs))
    if got.unread:
        cards.append(_unread_card(got.unread, seed, with_case=True, docs=docs))
    return dump(CdsResponse(cards=cards))
