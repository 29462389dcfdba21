from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from .okr_input import check_input

#: A task is work done in this state; cancelled work is no work to do.
DONE_STATE = "1_done"
CANCELLED_STATE = "1_canceled"


def task_counts(records, fname):
    """``{record: (done, total)}`` of the tasks linked through ``fname``,
    counted in SQL among the tasks the user may read (Project's rules)."""
    groups = records.env["project.task"]._read_group(
        [(fname, "in", records.ids), ("state", "!=", CANCELLED_STATE)],
        [fname, "state"],
        ["__count"],
    )
    counts = {}
    for record, state, count in groups:
        done, total = counts.get(record, (0, 0))
        counts[record] = (done + (count if state == DONE_STATE else 0), total + count)
    return counts


def tasks_action(records, domain, context):
    """The OKR tasks kanban, narrowed to ``domain``."""
    action = records.env["ir.actions.act_window"]._for_xml_id(
        "okr_order_management.project_task_okr_action"
    )
    action.update(domain=domain, context=context)
    return action


class OkrKeyResult(models.Model):
    """The tasks that move a key result, and its work progress beside (never
    in) its progress."""

    # Apart from the key result's measure, as its metric side is.
    _inherit = "okr.key.result"  # pylint: disable=consider-merging-classes-inherited

    task_ids = fields.One2many("project.task", "okr_key_result_id", string="Tasks")
    task_count = fields.Integer(
        compute="_compute_task_counts",
        help="Tasks of this key result that you can see, cancelled ones aside.",
    )
    task_done_count = fields.Integer(
        string="Tasks Done",
        compute="_compute_task_counts",
        help="Tasks of this key result that are done. Work progress: it never "
        "changes the key result's own progress.",
    )

    @api.depends_context("uid")
    def _compute_task_counts(self):
        counts = task_counts(self, "okr_key_result_id")
        for key_result in self:
            key_result.task_done_count, key_result.task_count = counts.get(
                key_result, (0, 0)
            )

    def write(self, vals):
        """Tasks added, changed or removed in a key result's form are written
        with the rights on the tasks: whoever may read a key result may work
        on it, without the right to change the key result itself."""
        if "task_ids" in vals and not self.env.su:
            vals = dict(vals)
            commands = vals.pop("task_ids")
            check_input(self, [{"task_ids": commands}])
            self._okr_write_tasks(commands)
            if not vals:
                return True
        return super().write(vals)

    def _okr_write_tasks(self, commands):
        tasks = self.env["project.task"]
        for key_result in self:
            key_result._okr_check_task_link()
            for command in commands:
                code, task_id = command[0], command[1]
                task = tasks.browse(task_id) if isinstance(task_id, int) else tasks
                if code == Command.CREATE:
                    tasks.create({**command[2], "okr_key_result_id": key_result.id})
                elif code == Command.UPDATE:
                    task.write(command[2])
                elif code == Command.DELETE:
                    task.unlink()
                elif code == Command.UNLINK:
                    task.write({"okr_key_result_id": False})
                elif code == Command.LINK:
                    task.write({"okr_key_result_id": key_result.id})
                else:
                    raise UserError(
                        self.env._(
                            "Tasks are added to or removed from a key result one "
                            "by one: set the “Key Result” of each task instead."
                        )
                    )

    def _okr_check_task_link(self):
        """A task joins or leaves a key result only when its user may read
        the key result."""
        if self.env.su:
            return
        for key_result in self:
            if not key_result.exists() or not key_result.has_access("read"):
                raise UserError(
                    self.env._(
                        "You cannot link a task to or from the key result "
                        "#%(id)s: you may not read it. Choose a key result of "
                        "your company in the task's “Key Result” field.",
                        id=key_result.id,
                    )
                )

    def _okr_default_project(self):
        """The "OKR Initiatives" project of the key result's company."""
        self.ensure_one()
        # sudo: the company of a key result the user reads (checked by callers).
        company = self.sudo().company_id or self.env.company
        return company._okr_initiatives_project()

    def action_view_tasks(self):
        self.ensure_one()
        return tasks_action(
            self,
            [("okr_key_result_id", "=", self.id)],
            {"default_okr_key_result_id": self.id},
        )


class OkrObjective(models.Model):
    """The tasks of all the key results of an objective."""

    # Beside its key results' tasks, apart from the objective's measure.
    _inherit = "okr.objective"  # pylint: disable=consider-merging-classes-inherited

    task_count = fields.Integer(
        compute="_compute_task_counts",
        help="Tasks of the key results of this objective that you can see, "
        "cancelled ones aside.",
    )
    task_done_count = fields.Integer(
        string="Tasks Done",
        compute="_compute_task_counts",
        help="Tasks of its key results that are done: work progress, beside "
        "the objective's progress, never in it.",
    )

    @api.depends_context("uid")
    def _compute_task_counts(self):
        counts = task_counts(self, "okr_objective_id")
        for objective in self:
            objective.task_done_count, objective.task_count = counts.get(
                objective, (0, 0)
            )

    def action_view_tasks(self):
        self.ensure_one()
        return tasks_action(self, [("okr_objective_id", "=", self.id)], {})
