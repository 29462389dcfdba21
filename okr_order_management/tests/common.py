from datetime import date

from odoo.tests import TransactionCase

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
