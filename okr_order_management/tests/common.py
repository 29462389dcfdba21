import json
from datetime import date

from odoo.tests import Form, TransactionCase, new_test_user
from odoo.tools import mute_logger

#: Q4 2026: 92 days, so 2026-11-16 is the middle of the cycle (pace 50 %).
Q4_START = date(2026, 10, 1)
Q4_END = date(2026, 12, 31)
Q4_MIDDLE = date(2026, 11, 16)


class OkrCase(TransactionCase):
    """A company with a Q4 2026 cycle, and helpers to build OKRs in it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.cycle = cls.env["okr.cycle"].create(
            {
                "name": "2026 Q4",
                "date_start": Q4_START,
                "date_end": Q4_END,
                "company_id": cls.company.id,
            }
        )

    @classmethod
    def _create_objective(cls, name="Customers wait less for their orders", **vals):
        """Create an objective, as ``env`` (a keyword) when given."""
        env = vals.pop("env", cls.env)
        return env["okr.objective"].create(
            {"name": name, "cycle_id": cls.cycle.id, **vals}
        )

    @classmethod
    def _create_key_result(cls, objective, start, target, current=None, **vals):
        """Create a ``reach`` key result (unless ``target_type`` says else)."""
        env = vals.pop("env", cls.env)
        return env["okr.key.result"].create(
            {
                "name": vals.pop("name", f"From {start} to {target}"),
                "objective_id": objective.id,
                "start_value": start,
                "target_value": target,
                "current_value": start if current is None else current,
                **vals,
            }
        )


def create_return(picking, qty):
    """Create (not validate) the return of ``qty`` of a done delivery through
    the return wizard, as a user would."""
    wizard = Form(
        picking.env["stock.return.picking"].with_context(
            active_id=picking.id,
            active_ids=picking.ids,
            active_model="stock.picking",
        )
    ).save()
    wizard.product_return_moves.quantity = qty
    action = wizard.action_create_returns()
    return picking.env["stock.picking"].browse(action["res_id"])


def create_okr_users(env):
    """Two plain OKR users (internal users) and an OKR manager."""
    return (
        new_test_user(env, login="okr_alice", groups="base.group_user"),
        new_test_user(env, login="okr_bob", groups="base.group_user"),
        new_test_user(
            env,
            login="okr_manager",
            groups="base.group_user,okr_order_management.group_okr_manager",
        ),
    )


def call_kw(case, model, method, *args, **kwargs):
    """``model.method(*args, **kwargs)`` as a web client sends it, through
    ``/web/dataset/call_kw`` of ``case`` (an HttpCase, logged in or not): the
    JSON reply, ``result`` or ``error``. Python's json writes NaN and the
    infinities as a hostile client may."""
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "model": model,
            "method": method,
            "args": list(args),
            "kwargs": kwargs,
        },
    }
    case.env.flush_all()
    with mute_logger("odoo.http"):
        response = case.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
    response.raise_for_status()
    case.env.invalidate_all()
    return response.json()
