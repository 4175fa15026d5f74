"""A minimal web service around the pipeline (FastAPI), and the JSON it speaks.

Every input and output of :func:`wfm.pipeline.plan_from_input` is a pydantic model whose
JSON round trip is exact (timestamps keep their offsets), so a service needs no glue:

    from fastapi import FastAPI
    app = FastAPI()

    @app.post("/plan")
    def make_plan(request: PlanInput) -> PlanOutput:
        return plan_from_input(request)

FastAPI is not a dependency of wfm; with it installed (``pip install fastapi uvicorn``)
``create_app()`` returns that app (serve with ``uvicorn service_example:app``). Without it,
this script exercises the same request/response path through JSON text only.
"""

import warnings

import pandas as pd

import wfm
from wfm.config import PlanConfig
from wfm.core import Table
from wfm.demo import demo_config
from wfm.pipeline import PlanInput, PlanOutput, plan_from_input


def create_app():  # type: ignore[no-untyped-def]
    from fastapi import FastAPI

    app = FastAPI(title="wfm planning service")

    @app.post("/plan")
    def make_plan(request: PlanInput) -> PlanOutput:
        return plan_from_input(request)

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


if __name__ == "__main__":
    main()
