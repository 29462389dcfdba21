import math

from odoo.tests import HttpCase, new_test_user, tagged

from .common import OkrCase, call_kw

LONG = "长" * 5000 + "x" * 5000  # 10,000 characters
CHINESE = "提高订单处理效率，减少客户等待时间 🚚✅"

#: (model, field, value sent, None when refused, else the value stored)
CASES = [
    ("okr.objective", "name", "", None),
    ("okr.objective", "name", "   ", None),
    ("okr.objective", "name", False, None),
    ("okr.objective", "name", LONG, LONG),
    ("okr.objective", "name", CHINESE, CHINESE),
    ("okr.key.result", "name", "", None),
    ("okr.key.result", "target_value", math.nan, None),
    ("okr.key.result", "target_value", math.inf, None),
    ("okr.key.result", "target_value", -math.inf, None),
    ("okr.key.result", "target_value", 1e308, None),
    ("okr.key.result", "target_value", "fifty", None),
    ("okr.key.result", "start_value", -1e13, None),
    ("okr.key.result", "target_value", 123456.5, 123456.5),
    ("okr.key.result", "weight", 1e308, None),
    ("okr.key.result", "weight", -1.0, None),
    ("okr.key.result", "unit", CHINESE, CHINESE),
    ("okr.checkin", "value", math.nan, None),
    ("okr.checkin", "value", 1e300, None),
    ("okr.checkin", "confidence", 10**10, None),
    ("okr.checkin", "confidence", 11, None),
    ("okr.checkin", "note", LONG, LONG),
]


@tagged("post_install", "-at_install")
class TestOkrBadInput(HttpCase, OkrCase):
    """Hostile values as a client sends them over JSON-RPC, as the plain OKR
    user who owns the records: refused with a message naming the field, or
    stored exactly; what was there before is unchanged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = new_test_user(
            cls.env, login="okr_bad_input", groups="base.group_user"
        )
        cls.objective = cls._create_objective(user_id=cls.owner.id)
        cls.key_result = cls._create_key_result(
            cls.objective, 0.0, 100.0, user_id=cls.owner.id
        )
        cls.checkin = (
            cls.env["okr.checkin"]
            .with_user(cls.owner)
            .create({"key_result_id": cls.key_result.id, "value": 10.0})
        )
        cls.records = {
            "okr.objective": cls.objective,
            "okr.key.result": cls.key_result,
            "okr.checkin": cls.checkin,
        }

    def test_hostile_values_over_json_rpc(self):
        self.authenticate(self.owner.login, self.owner.login)
        for model, fname, value, stored in CASES:
            record = self.records[model]
            with self.subTest(model=model, field=fname, value=str(value)[:20]):
                before = record.read([fname, "write_date"])[0]
                response = call_kw(self, model, "write", [record.id], {fname: value})
                if stored is None:
                    error = response.get("error", {}).get("data", {})
                    self.assertIn(
                        error.get("name"),
                        (
                            "odoo.exceptions.ValidationError",
                            "odoo.exceptions.UserError",
                        ),
                        f"refused with a message for the user, not {error}",
                    )
                    label = record._fields[fname]._description_string(self.env)
                    self.assertIn(label.lower(), error.get("message", "").lower())
                    self.assertEqual(record.read([fname, "write_date"])[0], before)
                else:
                    self.assertNotIn("error", response)
                    self.assertEqual(record[fname], stored)

    def test_hostile_values_on_create(self):
        """The same values refused on create leave nothing behind."""
        self.authenticate(self.owner.login, self.owner.login)
        KeyResult = self.env["okr.key.result"]
        count = KeyResult.search_count([])
        for value in (math.nan, math.inf, 1e308, "fifty"):
            with self.subTest(value=str(value)):
                response = call_kw(
                    self,
                    "okr.key.result",
                    "create",
                    {
                        "name": "Hostile",
                        "objective_id": self.objective.id,
                        "target_value": value,
                    },
                )
                self.assertEqual(
                    response["error"]["data"]["name"], "odoo.exceptions.ValidationError"
                )
        self.assertEqual(KeyResult.search_count([]), count)
