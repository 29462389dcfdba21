from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestOkrAlignmentTour(HttpCase):
    """The alignment tree in a real browser, as a plain OKR user: she aligns
    a new objective under a colleague's company objective, which its own key
    results measure (so aligning under it changes none of its numbers)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, login="okr_tree_user", groups="base.group_user", tz="UTC"
        )
        colleague = new_test_user(
            cls.env, login="okr_tree_colleague", groups="base.group_user"
        )
        cls.cycle = cls.env["okr.cycle"].create(
            {
                "name": "Tree tour cycle",
                "date_start": "2000-01-01",
                "date_end": "2999-12-31",
                "state": "active",
            }
        )
        cls.department = cls.env["hr.department"].create({"name": "Order Desk"})
        cls.parent = cls.env["okr.objective"].create(
            {
                "name": "Customers wait less",
                "cycle_id": cls.cycle.id,
                "user_id": colleague.id,
                "department_id": cls.department.id,
            }
        )
        cls.env["okr.key.result"].create(
            {
                "name": "Orders confirmed within 12 h",
                "objective_id": cls.parent.id,
                "target_value": 100.0,
                "current_value": 40.0,
            }
        )

    def test_align_a_new_objective_from_the_tree(self):
        self.start_tour("/odoo", "okr_alignment_tour", login=self.user.login)
        objective = self.env["okr.objective"].search(
            [
                ("name", "=", "Automate order assignment"),
                ("cycle_id", "=", self.cycle.id),
            ]
        )
        self.assertRecordValues(
            objective,
            [
                {
                    "parent_id": self.parent.id,
                    "cycle_id": self.cycle.id,
                    "department_id": self.department.id,
                    "level": "department",
                    "user_id": self.user.id,
                }
            ],
        )
        self.assertAlmostEqual(self.parent.progress, 40.0)
