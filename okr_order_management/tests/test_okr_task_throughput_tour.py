from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestOkrTaskThroughputTour(HttpCase):
    """Task Throughput in a real browser, as a plain OKR user (who may read
    the tasks, not change them)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, login="okr_throughput_tour_user", groups="base.group_user"
        )
        cycle = cls.env["okr.cycle"].create(
            {
                "name": "Throughput tour cycle",
                "date_start": "2000-01-01",
                "date_end": "2999-12-31",
                "state": "active",
            }
        )
        objective = cls.env["okr.objective"].create(
            {"name": "Throughput tour objective", "cycle_id": cycle.id}
        )
        tasks = []
        for department, names in (
            ("Throughput IT", ["Train the order desk", "Import web orders"]),
            ("Throughput HR", ["Write the playbook"]),
        ):
            key_result = cls.env["okr.key.result"].create(
                {
                    "name": f"{department} key result",
                    "objective_id": objective.id,
                    "target_value": 10.0,
                    "department_id": cls.env["hr.department"]
                    .create({"name": department})
                    .id,
                }
            )
            tasks += [
                {"name": name, "okr_key_result_id": key_result.id} for name in names
            ]
        cls.env["project.task"].create(tasks).write({"state": "1_done"})

    def test_throughput_from_the_reporting_menu(self):
        self.start_tour("/odoo", "okr_task_throughput_tour", login=self.user.login)
