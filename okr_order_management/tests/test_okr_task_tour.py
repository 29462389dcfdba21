from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestOkrTaskTour(HttpCase):
    """The department kanban in a real browser, as a Project user (the least
    rights that create a task) who does not own the key result."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="okr_task_tour_user",
            groups="base.group_user,project.group_project_user",
            tz="UTC",
        )
        cycle = cls.env["okr.cycle"].create(
            {
                "name": "Task tour cycle",
                "date_start": "2000-01-01",
                "date_end": "2999-12-31",
                "state": "active",
            }
        )
        # The kanban's columns: the objective's department and its key
        # result's; the task goes to the column it is added in.
        cls.it, ops = cls.env["hr.department"].create(
            [{"name": "Desk IT"}, {"name": "Desk Ops"}]
        )
        objective = cls.env["okr.objective"].create(
            {
                "name": "Tour objective",
                "cycle_id": cycle.id,
                "level": "department",
                "department_id": cls.it.id,
            }
        )
        cls.key_result = cls.env["okr.key.result"].create(
            {
                "name": "Tour key result",
                "objective_id": objective.id,
                "target_value": 10.0,
                "department_id": ops.id,
            }
        )

    def test_add_a_task_in_a_department_and_mark_it_done(self):
        url = (
            "/odoo/action-okr_order_management.okr_key_result_action/"
            f"{self.key_result.id}"
        )
        self.start_tour(url, "okr_task_tour", login=self.user.login)
        task = self.key_result.task_ids
        self.assertEqual(task.name, "Train the order desk")
        self.assertEqual(task.okr_department_id, self.it)
        self.assertEqual(task.state, "1_done")
        self.assertEqual(task.create_uid, self.user)
        self.assertEqual(task.project_id, self.env.company._okr_initiatives_project())
        self.assertEqual(
            (self.key_result.task_done_count, self.key_result.task_count), (1, 1)
        )
