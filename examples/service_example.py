"""A minimal web service around the pipeline (FastAPI), and the JSON it speaks.

Every input and output of :func:`wfm.pipeline.plan_from_input` is a pydantic model whose
JSON round trip is exact (timestamps keep their offsets), so a service needs little glue:
:func:`handle_plan_request` turns a request body into an HTTP status and a JSON body, and
``create_app()`` serves it with FastAPI.

Errors: a request the library refuses comes back as 4xx with the library's message
(``422`` for invalid input, ``409`` for rules that cannot all hold, ``413`` for a request
over the service's limits), and ``503`` when the solver failed; never a bare 500.

Limits (:class:`ServiceLimits`, configurable by environment variables
``WFM_SERVICE_MAX_BODY_BYTES``, ``..._MAX_ROWS``, ``..._MAX_QUEUES``,
``..._MAX_SOLVER_SECONDS`` and ``..._MAX_SOLVER_THREADS``): the body size is checked
before it is parsed, then the rows of every table, the number of queues, and the solver's
time limit and threads the request asks for.

FastAPI is not a dependency of wfm; with it installed (``pip install fastapi uvicorn``)
``create_app()`` returns the app (serve with ``uvicorn service_example:app``). Without it,
this script exercises the same request/response path through JSON text only.
"""

import json
import os
import warnings
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import ValidationError

import wfm
from wfm.config import PlanConfig
from wfm.core import InfeasibleError, InputError, SolverError, Table, WfmError
from wfm.core.errors import ModelInputError
from wfm.demo import demo_config
from wfm.pipeline import PlanInput, PlanOutput, plan_from_input


@dataclass(frozen=True)
class ServiceLimits:
    """What one request may ask of the service."""

    max_body_bytes: int = 20_000_000
    max_rows: int = 200_000
    max_queues: int = 50
    max_solver_seconds: float = 120.0
    max_solver_threads: int = 2

    @classmethod
    def from_environment(cls) -> "ServiceLimits":
        defaults = cls()
        values: dict[str, Any] = {}
        for name, default in defaults.__dict__.items():
            text = os.environ.get(f"WFM_SERVICE_{name.upper()}")
            values[name] = default if text is None else type(default)(text)
        return cls(**values)


class RequestTooLarge(InputError):
    """The request is over one of the service's limits."""


def check_limits(request: PlanInput, limits: ServiceLimits) -> None:
    """Refuse a request over the limits, naming the limit and the value."""
    tables = {"history": request.history, "state_events": request.state_events}
    for name, table in tables.items():
        if table is None:
            continue
        rows = max((len(column.values) for column in table.columns), default=0)
        if rows > limits.max_rows:
            raise RequestTooLarge(
                f"{name} has {rows:,} rows; this service accepts at most {limits.max_rows:,}. "
                "Fix: send a shorter history (or ask the operator to raise max_rows)."
            )
    queue_column = [c for c in request.history.columns if c.name == "queue"]
    queues = {v for v in queue_column[0].values} if queue_column else set()
    if len(queues) > limits.max_queues:
        raise RequestTooLarge(
            f"history has {len(queues)} queues; this service accepts at most "
            f"{limits.max_queues}. Fix: split the request by queue."
        )
    solver = request.config.schedule.solver
    if solver.time_limit_seconds > limits.max_solver_seconds:
        raise RequestTooLarge(
            f"schedule.solver.time_limit_seconds = {solver.time_limit_seconds:g}; this service "
            f"allows at most {limits.max_solver_seconds:g}. Fix: ask for less time."
        )
    if solver.threads > limits.max_solver_threads:
        raise RequestTooLarge(
            f"schedule.solver.threads = {solver.threads}; this service allows at most "
            f"{limits.max_solver_threads}. Fix: ask for fewer threads."
        )


def _status_of(error: WfmError) -> int:
    if isinstance(error, RequestTooLarge):
        return 413
    if isinstance(error, InfeasibleError):
        return 409
    if isinstance(error, SolverError):
        return 503
    return 422


def handle_plan_request(body: bytes, limits: ServiceLimits | None = None) -> tuple[int, str]:
    """Answer one ``POST /plan``: (HTTP status, JSON text).

    200 with a :class:`PlanOutput`; otherwise ``{"error": kind, "detail": message}`` with
    413 (over a limit), 422 (invalid input), 409 (infeasible rules) or 503 (solver).
    """
    limits = limits or ServiceLimits()
    if len(body) > limits.max_body_bytes:
        detail = (
            f"the request has {len(body):,} bytes; this service accepts at most "
            f"{limits.max_body_bytes:,}. Fix: send a shorter history."
        )
        return 413, json.dumps({"error": "RequestTooLarge", "detail": detail})
    try:
        request = PlanInput.model_validate_json(body)
        check_limits(request, limits)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            response = plan_from_input(request)
    except (ValidationError, ModelInputError) as exc:
        detail = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
        )
        return 422, json.dumps({"error": "ValidationError", "detail": detail})
    except WfmError as exc:
        return _status_of(exc), json.dumps({"error": type(exc).__name__, "detail": str(exc)})
    data = json.loads(response.model_dump_json())
    data["warnings"] = sorted({str(w.message) for w in caught})
    return 200, json.dumps(data)


def create_app(limits: ServiceLimits | None = None):  # type: ignore[no-untyped-def]
    from fastapi import FastAPI, Request
    from fastapi.responses import Response

    app = FastAPI(title="wfm planning service")
    chosen = limits or ServiceLimits.from_environment()

    @app.post("/plan")
    async def make_plan(request: Request) -> Response:
        declared = int(request.headers.get("content-length") or 0)
        if declared > chosen.max_body_bytes:
            status, text = handle_plan_request(b" " * (chosen.max_body_bytes + 1), chosen)
        else:
            status, text = handle_plan_request(await request.body(), chosen)
        return Response(text, status_code=status, media_type="application/json")

    return app


def main() -> None:
    history = wfm.datasets.israel_bank_intervals(30)
    history = history[
        (history["interval_start"] >= pd.Timestamp("1999-01-13", tz="Asia/Jerusalem"))
        & (history["interval_start"] < pd.Timestamp("1999-01-25", tz="Asia/Jerusalem"))
    ]
    settings = demo_config().model_dump(mode="json")
    settings["forecast"].update(horizon_days=1, model="seasonal_naive")
    settings["schedule"]["templates"] = []  # forecast and requirement only, to keep it quick
    request = PlanInput(
        config=PlanConfig.model_validate(settings), history=Table.from_frame(history)
    )

    body = request.model_dump_json()  # what a client would POST
    print(f"request: {len(body):,} bytes of JSON")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", wfm.forecast.ShortHistoryWarning)
        response = plan_from_input(PlanInput.model_validate_json(body))
    text = response.model_dump_json()
    print(f"response: {len(text):,} bytes of JSON; tables {sorted(response.tables)}")
    back = PlanOutput.model_validate_json(text)
    requirement = back.tables["requirement"].to_frame()
    print(requirement[["interval_start", "volume", "required_agents"]].iloc[16:20])
    print("round trip exact:", back == response)

    # what a client gets for requests the library refuses: 4xx with the message
    raw = body.encode()
    limits = ServiceLimits(max_body_bytes=len(raw) * 2, max_rows=10_000)
    slow = raw.replace(b'"time_limit_seconds":30.0', b'"time_limit_seconds":1e9')
    for label, bad in (
        ("not JSON", b"{oops"),
        ("negative horizon", raw.replace(b'"horizon_days":1', b'"horizon_days":-1')),
        ("solver time 1e9 s", slow),
        ("too big", raw + b" " * len(raw) * 2),
    ):
        status, text = handle_plan_request(bad, limits)
        print(f"{label}: HTTP {status}: {json.loads(text)['detail'][:90]}")


if __name__ == "__main__":
    main()
