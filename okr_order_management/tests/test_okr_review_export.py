from odoo.tests import HttpCase, new_test_user, tagged

from .common import OkrCase, call_kw

EXPORT = "okr_order_management.okr_key_result_export_review"
#: What a reviewer reads of a key result, at the least.
REVIEW_FIELDS = {
    "name",
    "objective_id",
    "objective_id/commitment",
    "cycle_id",
    "department_id",
    "user_id",
    "start_value",
    "target_value",
    "current_value",
    "unit",
    "progress",
    "status",
    "confidence",
    "last_checkin_date",
    "source",
    "metric_id",
    "final_value",
    "final_score",
    "score_band",
    "miss_reason",
    "miss_note",
    "carried_from_id",
}


@tagged("post_install", "-at_install")
class TestOkrReviewExport(HttpCase, OkrCase):
    """The saved export list "OKR review": stored fields only, which a plain
    OKR user loads and exports as the web client's export dialog does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Every user created from Odoo's default user template may export.
        cls.reader = new_test_user(
            cls.env,
            login="okr_review_reader",
            groups="base.group_user,base.group_allow_export",
        )
        cls.owner = owner = new_test_user(
            cls.env, login="okr_review_owner", groups="base.group_user"
        )
        department = cls.env["hr.department"].create({"name": "Customer Service"})
        objective = cls._create_objective(
            user_id=owner.id, department_id=department.id, commitment="aspirational"
        )
        cls.key_result = cls._create_key_result(
            objective, 48.0, 12.0, current=30.0, unit="h"
        )
        cls.export = cls.env.ref(EXPORT)

    def _paths(self):
        return self.export.export_fields.mapped("name")

    def test_every_field_is_stored(self):
        self.assertRecordValues(
            self.export, [{"name": "OKR review", "resource": "okr.key.result"}]
        )
        paths = self._paths()
        self.assertLessEqual(REVIEW_FIELDS, set(paths))
        self.assertEqual(len(paths), len(set(paths)), "a field is listed twice")
        for path in paths:
            model = self.env["okr.key.result"]
            for fname in path.split("/"):
                field = model._fields[fname]
                self.assertTrue(field.store, f"{path}: {field} is not stored")
                if field.relational:
                    model = self.env[field.comodel_name]

    def test_a_plain_user_loads_and_exports_it(self):
        self.authenticate(self.reader.login, self.reader.login)
        reply = call_kw(
            self,
            "ir.exports",
            "search_read",
            [("resource", "=", "okr.key.result"), ("name", "=", "OKR review")],
            ["export_fields"],
        )
        [saved] = reply["result"]
        reply = call_kw(
            self, "ir.exports.line", "read", saved["export_fields"], ["name"]
        )
        paths = [line["name"] for line in reply["result"]]
        self.assertEqual(paths, self._paths())
        reply = call_kw(
            self, "okr.key.result", "export_data", [self.key_result.id], paths
        )
        self.assertIn("result", reply, reply.get("error"))
        [row] = reply["result"]["datas"]
        values = dict(zip(paths, row, strict=True))
        self.assertEqual(values["objective_id"], self.key_result.objective_id.name)
        self.assertEqual(values["objective_id/commitment"], "Aspirational")
        self.assertEqual(values["department_id"], "Customer Service")
        self.assertEqual(values["user_id"], self.owner.name)
        self.assertEqual(values["cycle_id"], "2026 Q4")
        self.assertEqual(
            (values["start_value"], values["target_value"], values["current_value"]),
            (48.0, 12.0, 30.0),
        )
        self.assertEqual(values["unit"], "h")
        self.assertAlmostEqual(values["progress"], 50.0)
        self.assertEqual(values["source"], "Manual")
