"""Stripe on 127.0.0.1 for the real `stripe` SDK: localstripe plus what it lacks.

`LocalStripe` runs the `localstripe` package as a real server (a subprocess on a free port):
customers, payment methods, plans, subscriptions, invoices and payment intents, and it signs
and delivers its own webhooks (customer.subscription.created/.deleted, invoice.created,
invoice.payment_succeeded/.payment_failed) to a registered URL.

`FakeStripe` is the API base the SDK talks to. It serves what localstripe does not have, with
Stripe's documented request and response shapes and error body
(`{"error": {"type", "code", "message", "param"}}`):

    POST /v1/prices, GET /v1/prices/{id}                (mirrored into localstripe as a Plan of
                                                         the same id, so subscriptions can use it)
    POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id}
    POST /v1/billing_portal/sessions

and forwards every other /v1 request to localstripe unchanged. What a customer does in
Stripe's own pages is driven from the test:

    with LocalStripe(tmp_path) as local, FakeStripe(local, webhook_url=..., webhook_secret=...) as fake:
        price = fake.create_price("Pro", 1900)
        ...  # the app creates a Checkout Session through the SDK
        fake.complete_checkout(session_id)   # pays with a test card in localstripe: the subscription
                                             # and invoice exist there, localstripe sends its events,
                                             # and checkout.session.completed is sent from here
        fake.send_event("customer.subscription.updated", subscription)   # signed like Stripe
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scripts.stack import free_port, stop_process_group
from tests.fakes.serving import ThreadedServer
from tests.support.processes import start_logged

API_KEY = "sk_test_renamer_fake"
API_VERSION = "2026-10-28.endive"
TEST_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # attaches, then every charge fails

# localstripe keeps its store in /tmp/localstripe.pickle, one path for every instance on the
# machine; parallel test runs would write over each other's, so this launcher turns it off and
# listens on 127.0.0.1 only (its own entry point binds every interface).
_LAUNCHER = """
import sys
from aiohttp import web
import localstripe.resources as resources
resources.Store.dump_to_disk = lambda self: None
from localstripe.server import app
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """Stripe's scheme: t=<unix time>,v1=HMAC-SHA256(secret, f"{t}.{payload}")."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def _new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def _form(raw: bytes) -> dict[str, Any]:
    """Stripe's form encoding (a[b][0][c]=v) into nested dicts and lists."""
    tree: dict[str, Any] = {}
    for key, value in parse_qsl(raw.decode(), keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node: Any = tree
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            if following is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(tree)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(key.isdigit() for key in node):
            return [_lists(node[key]) for key in sorted(node, key=int)]
        return {key: _lists(value) for key, value in node.items()}
    return node


def _error(status: int, message: str, *, param: str | None = None, code: str | None = None) -> JSONResponse:
    body = {"error": {"type": "invalid_request_error", "message": message, "param": param, "code": code}}
    return JSONResponse(body, status_code=status)


class _Refused(Exception):
    """A request Stripe would refuse; rendered as its error body."""

    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.response = _error(status, message, param=param, code=code)


class LocalStripe:
    """The localstripe server as a subprocess; `url` is its API base."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"localstripe-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> LocalStripe:
        self.process = start_logged(
            [sys.executable, "-c", _LAUNCHER, str(self.port)],
            name="localstripe",
            log_path=self.log_path,
            ready=lambda: httpx.get(f"{self.url}/v1/customers", auth=(API_KEY, ""), timeout=1).status_code == 200,
            timeout=timeout,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=None,
        )
        return self

    def stop(self) -> None:
        stop_process_group(self.process, timeout=10)
        self.process = None

    def register_webhook(self, url: str, secret: str) -> None:
        response = httpx.post(f"{self.url}/_config/webhooks/renamer", data={"url": url, "secret": secret}, timeout=5)
        response.raise_for_status()

    def __enter__(self) -> LocalStripe:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


@dataclass
class Delivery:
    type: str
    status: int
    body: str


@dataclass
class _State:
    prices: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    portal_sessions: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) received


class FakeStripe:
    def __init__(self, local: LocalStripe, *, webhook_url: str, webhook_secret: str, api_key: str = API_KEY) -> None:
        self.local = local
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.api_key = api_key
        self.state = _State()
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self.port = 0
        self.app = Starlette(
            routes=[
                Route("/v1/prices", self._create_price, methods=["POST"]),
                Route("/v1/prices/{id}", self._get_price, methods=["GET"]),
                Route("/v1/checkout/sessions", self._create_session, methods=["POST"]),
                Route("/v1/checkout/sessions/{id}", self._get_session, methods=["GET"]),
                Route("/v1/billing_portal/sessions", self._create_portal_session, methods=["POST"]),
                Route("/v1/{path:path}", self._forward, methods=["GET", "POST", "DELETE"]),
            ]
        )
        self._serving = ThreadedServer(self.app, "Stripe")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeStripe:
        self.port = self._serving.start()
        self.local.register_webhook(self.webhook_url, self.webhook_secret)
        return self

    def stop(self) -> None:
        self._serving.stop()

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ HTTP side

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        return header == f"Bearer {self.api_key}"

    def _refuse_unauthorized(self) -> JSONResponse:
        return JSONResponse(
            {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided: sk_***"}}, status_code=401
        )

    async def _create_price(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._refuse_unauthorized()
        try:
            return JSONResponse(self._price(_form(await request.body())))
        except _Refused as refused:
            return refused.response

    def _price(self, params: dict[str, Any]) -> dict[str, Any]:
        currency = params.get("currency")
        amount = params.get("unit_amount")
        interval = (params.get("recurring") or {}).get("interval")
        if not currency:
            raise _Refused(400, "Missing required param: currency.", param="currency")
        if amount is None or not str(amount).isdigit():
            raise _Refused(400, "Missing required param: unit_amount.", param="unit_amount")
        name = (params.get("product_data") or {}).get("name") or "Plan"
        price_id = _new_id("price")
        # localstripe subscribes to Plans: the same id lets its subscriptions use this price.
        plan = {"id": price_id, "amount": amount, "currency": currency, "interval": interval or "month"}
        created = httpx.post(
            f"{self.local.url}/v1/plans", data={**plan, "product[name]": name}, auth=(self.api_key, ""), timeout=10
        )
        created.raise_for_status()
        price = {
            "id": price_id,
            "object": "price",
            "active": True,
            "billing_scheme": "per_unit",
            "created": int(time.time()),
            "currency": currency,
            "livemode": False,
            "lookup_key": params.get("lookup_key"),
            "metadata": params.get("metadata") or {},
            "nickname": params.get("nickname"),
            "product": created.json()["product"],
            "recurring": {"interval": interval or "month", "interval_count": 1, "usage_type": "licensed"}
            if interval
            else None,
            "type": "recurring" if interval else "one_time",
            "unit_amount": int(amount),
        }
        with self._lock:
            self.state.prices[price_id] = price
        return price

    async def _get_price(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._refuse_unauthorized()
        price = self.state.prices.get(request.path_params["id"])
        if price is None:
            return _error(404, f"No such price: '{request.path_params['id']}'", param="id", code="resource_missing")
        return JSONResponse(price)

    async def _create_session(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._refuse_unauthorized()
        params = _form(await request.body())
        with self._lock:
            self.state.requests.append(("POST", "/v1/checkout/sessions"))
        mode = params.get("mode")
        if mode not in ("payment", "subscription", "setup"):
            return _error(400, "Missing required param: mode.", param="mode")
        if not params.get("success_url"):
            return _error(400, "Missing required param: success_url.", param="success_url")
        items = params.get("line_items") or []
        if mode == "subscription" and not items:
            return _error(400, "line_items is required in subscription mode.", param="line_items")
        amount = 0
        currency = None
        for index, item in enumerate(items):
            price = self.state.prices.get(str(item.get("price")))
            if price is None:
                return _error(
                    400,
                    f"No such price: '{item.get('price')}'",
                    param=f"line_items[{index}][price]",
                    code="resource_missing",
                )
            if mode == "subscription" and price["type"] != "recurring":
                return _error(400, "Subscription mode needs recurring prices.", param=f"line_items[{index}][price]")
            amount += price["unit_amount"] * int(item.get("quantity") or 1)
            currency = price["currency"]
        customer = params.get("customer")
        if customer is not None:
            found = httpx.get(f"{self.local.url}/v1/customers/{customer}", auth=(self.api_key, ""), timeout=10)
            if found.status_code != 200:
                return _error(400, f"No such customer: '{customer}'", param="customer", code="resource_missing")
        session_id = _new_id("cs")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": int(time.time()),
            "currency": currency,
            "customer": customer,
            "expires_at": int(time.time()) + 24 * 3600,
            "invoice": None,
            "livemode": False,
            "metadata": params.get("metadata") or {},
            "mode": mode,
            "payment_status": "unpaid",
            "status": "open",
            "subscription": None,
            "success_url": params["success_url"],
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            # Not part of the object Stripe returns; kept to create the subscription at completion.
            "_line_items": items,
            "_subscription_data": params.get("subscription_data") or {},
        }
        with self._lock:
            self.state.sessions[session_id] = session
        return JSONResponse(self._public(session))

    @staticmethod
    def _public(session: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in session.items() if not key.startswith("_")}

    async def _get_session(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._refuse_unauthorized()
        session = self.state.sessions.get(request.path_params["id"])
        if session is None:
            return _error(404, f"No such checkout.session: '{request.path_params['id']}'", code="resource_missing")
        return JSONResponse(self._public(session))

    async def _create_portal_session(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._refuse_unauthorized()
        params = _form(await request.body())
        customer = params.get("customer")
        if not customer:
            return _error(400, "Missing required param: customer.", param="customer")
        found = httpx.get(f"{self.local.url}/v1/customers/{customer}", auth=(self.api_key, ""), timeout=10)
        if found.status_code != 200:
            return _error(400, f"No such customer: '{customer}'", param="customer", code="resource_missing")
        portal_id = _new_id("bps")
        portal = {
            "id": portal_id,
            "object": "billing_portal.session",
            "configuration": "bpc_test_default",
            "created": int(time.time()),
            "customer": customer,
            "flow": None,
            "livemode": False,
            "locale": None,
            "on_behalf_of": None,
            "return_url": params.get("return_url"),
            "url": f"https://billing.stripe.com/p/session/{portal_id}",
        }
        with self._lock:
            self.state.portal_sessions.append(portal)
        return JSONResponse(portal)

    async def _forward(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._refuse_unauthorized()
        with self._lock:
            self.state.requests.append((request.method, request.url.path))
        async with httpx.AsyncClient(timeout=30) as client:
            upstream = await client.request(
                request.method,
                f"{self.local.url}{request.url.path}",
                params=list(request.query_params.multi_items()),
                content=await request.body(),
                headers={
                    "authorization": request.headers["authorization"],
                    "content-type": request.headers.get("content-type", "application/x-www-form-urlencoded"),
                },
            )
        return Response(upstream.content, status_code=upstream.status_code, media_type="application/json")

    # ------------------------------------------------------------------ the customer's side

    def local_request(self, method: str, path: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.request(method, f"{self.local.url}{path}", data=data, auth=(self.api_key, ""), timeout=30)
        response.raise_for_status()
        return dict(response.json())

    def create_price(self, name: str, unit_amount: int, *, currency: str = "usd") -> dict[str, Any]:
        recurring = {"interval": "month"}
        params = {
            "currency": currency,
            "unit_amount": str(unit_amount),
            "recurring": recurring,
            "product_data": {"name": name},
        }
        return self._price(params)

    def session(self, session_id: str) -> dict[str, Any]:
        return self._public(self.state.sessions[session_id])

    def complete_checkout(self, session_id: str, *, card: str = TEST_CARD, deliver: bool = True) -> dict[str, Any]:
        """What paying on Checkout's page does: a card for the customer, the subscription in
        localstripe (which sends its own signed events), the session completed, and
        checkout.session.completed delivered (unless `deliver` is False)."""
        session = self.state.sessions[session_id]
        customer = session["customer"]
        method = self.local_request(
            "POST",
            "/v1/payment_methods",
            {
                "type": "card",
                "card[number]": card,
                "card[exp_month]": "12",
                "card[exp_year]": "2035",
                "card[cvc]": "123",
            },
        )
        self.local_request("POST", f"/v1/payment_methods/{method['id']}/attach", {"customer": customer})
        self.local_request(
            "POST", f"/v1/customers/{customer}", {"invoice_settings[default_payment_method]": method["id"]}
        )
        item = session["_line_items"][0]
        metadata = (session["_subscription_data"] or {}).get("metadata") or {}
        data = {"customer": customer, "items[0][plan]": item["price"], "items[0][quantity]": item.get("quantity", "1")}
        data.update({f"metadata[{key}]": value for key, value in metadata.items()})
        subscription = self.local_request("POST", "/v1/subscriptions", data)
        with self._lock:
            session.update(
                status="complete",
                payment_status="paid" if subscription["status"] == "active" else "unpaid",
                subscription=subscription["id"],
                invoice=subscription.get("latest_invoice"),
            )
        if deliver:
            self.send_event("checkout.session.completed", self._public(session))
        return self._public(session)

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        return self.local_request("GET", f"/v1/subscriptions/{subscription_id}")

    # ------------------------------------------------------------------ events

    def event(self, event_type: str, obj: dict[str, Any], *, created: int | None = None) -> dict[str, Any]:
        return {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()) if created is None else created,
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }

    def deliver(self, payload: bytes, signature: str | None, *, event_type: str = "") -> httpx.Response:
        headers = {"content-type": "application/json; charset=utf-8", "user-agent": "Stripe/1.0"}
        if signature is not None:
            headers["stripe-signature"] = signature
        response = httpx.post(self.webhook_url, content=payload, headers=headers, timeout=30)
        with self._lock:
            self.deliveries.append(Delivery(event_type, response.status_code, response.text))
        return response

    def send_event(
        self,
        event_type: str,
        obj: dict[str, Any],
        *,
        created: int | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> tuple[dict[str, Any], httpx.Response]:
        """Build, sign (with `secret`, default the endpoint's) and deliver an event."""
        event = self.event(event_type, obj, created=created)
        payload = json.dumps(event, indent=2).encode()
        signature = sign(payload, secret or self.webhook_secret, timestamp=timestamp)
        return event, self.deliver(payload, signature, event_type=event_type)

    def payload_of(self, event: dict[str, Any]) -> bytes:
        return json.dumps(event, indent=2).encode()


@contextlib.contextmanager
def stripe_stack(*, webhook_url: str, webhook_secret: str, log_dir: Path) -> Iterator[FakeStripe]:
    """localstripe and the fake in front of it, both stopped on exit."""
    with (
        LocalStripe(log_dir) as local,
        FakeStripe(local, webhook_url=webhook_url, webhook_secret=webhook_secret) as fake,
    ):
        yield fake
