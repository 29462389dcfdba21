from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .okr_key_result_task import DONE_STATE


class ProjectTask(models.Model):
    """When the task of a key result was done, for the task throughput report.

    Odoo's ``date_end`` follows folded stages, not the task's state, and
    ``date_last_stage_update`` moves with every later stage change: the task
    keeps the moment its state became done, set in the write that does it."""

    # Apart from the task's link to its key result, as the report is.
    _inherit = "project.task"  # pylint: disable=consider-merging-classes-inherited

    okr_done_at = fields.Datetime(
        string="Done On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="base.group_user",
        help="When this task of a key result was marked done: the week it "
        "counts in, in the task throughput report. Cleared when the task is "
        "reopened or cancelled.",
    )

    def init(self):
        res = super().init()
        # Done tasks of key results that have no stamp (linked before the
        # field existed) were done when their state or stage last changed.
        self.env.cr.execute(
            SQL(
                """UPDATE %(table)s
                      SET okr_done_at = COALESCE(date_last_stage_update, write_date)
                    WHERE state = %(done)s
                      AND okr_key_result_id IS NOT NULL
                      AND okr_done_at IS NULL""",
                table=SQL.identifier(self._table),
                done=DONE_STATE,
            )
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        tasks = super().create(vals_list)
        tasks._okr_stamp_done({})
        return tasks

    def write(self, vals):
        if "state" not in vals and "okr_key_result_id" not in vals:
            return super().write(vals)
        # sudo: a portal user may close a task; the stamp is the addon's.
        done_since = {
            task.id: task.date_last_stage_update
            for task in self.sudo()
            if task.state == DONE_STATE
        }
        result = super().write(vals)
        self._okr_stamp_done(done_since)
        return result

    def _okr_stamp_done(self, done_since):
        """Stamp the done tasks of key results that have no stamp yet, and
        clear the stamp of tasks no longer done.

        A task done now is stamped now; one already done when it joins a key
        result (``done_since``: {task id: its last state or stage change})
        was done then. One write per value, before the flush: the stamps go
        in the same UPDATE as the state."""
        now = fields.Datetime.now()
        stamps = defaultdict(list)
        for task in self.sudo():
            if task.state != DONE_STATE:
                if task.okr_done_at:
                    stamps[False].append(task.id)
            elif task.okr_key_result_id and not task.okr_done_at:
                stamps[done_since.get(task.id) or now].append(task.id)
        for stamp, task_ids in stamps.items():
            # sudo: the field is the addon's, refused to every client.
            self.sudo().browse(task_ids).okr_done_at = stamp
