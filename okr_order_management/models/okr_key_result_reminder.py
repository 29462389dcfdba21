from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.osv import expression

from .okr_cycle_cadence import CADENCE_PERIODS

#: The activity type of the reminders (data/okr_checkin_reminder_data.xml).
CHECKIN_DUE = "okr_order_management.mail_activity_type_checkin_due"
#: Key results given a reminder per run of the scheduled action; the runner
#: commits after each run and calls it again while some remain.
REMINDER_BATCH_SIZE = 1000


class OkrKeyResult(models.Model):
    """Check-in reminders: the owner of a manual key result not checked in
    at its cycle's cadence gets one "Check-in due" activity, which the next
    check-in marks as done."""

    # Apart from the key result's measure, as its metric and task sides are.
    _inherit = "okr.key.result"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _okr_checkin_overdue_domain(self, today):
        """The key results whose check-in is due on ``today``: the whole rule,
        in one domain, read by the reminders and by the digest's "Check-ins
        Overdue".

        Due: a manual key result, active in an active objective of an active
        cycle, owned by an active user, whose last check-in (or creation,
        before the first) and the cycle's start are one cadence or more
        before ``today``. A milestone that is achieved is done: nothing due.
        """
        by_cadence = []
        for cadence, period in CADENCE_PERIODS.items():
            last_day = today - period
            after_last_day = datetime.combine(last_day + timedelta(days=1), time.min)
            by_cadence.append(
                [
                    ("cycle_id.checkin_cadence", "=", cadence),
                    ("cycle_id.date_start", "<=", last_day),
                    "|",
                    ("last_checkin_date", "<=", last_day),
                    "&",
                    ("last_checkin_date", "=", False),
                    ("create_date", "<", after_last_day),
                ]
            )
        return expression.AND(
            [
                [
                    ("source", "=", "manual"),
                    ("active", "=", True),
                    ("objective_id.active", "=", True),
                    ("cycle_id.state", "=", "active"),
                    ("user_id.active", "=", True),
                    "!",
                    "&",
                    ("target_type", "=", "milestone"),
                    ("status", "=", "achieved"),
                ],
                expression.OR(by_cadence),
            ]
        )

    @api.model
    def _okr_checkin_due_domain(self, today, activity_type):
        """The key results whose check-in is due and whose reminder is not
        open yet, so that a run is one query and a batch never comes back."""
        return expression.AND(
            [
                self._okr_checkin_overdue_domain(today),
                # (the one2many adds the activities' res_model itself)
                [
                    (
                        "activity_ids",
                        "not any",
                        [("activity_type_id", "=", activity_type.id)],
                    )
                ],
            ]
        )

    def _okr_checkin_due_date(self, today):
        """The day the check-in of this key result fell due (today at the
        latest): one cadence after its last check-in, creation or cycle
        start, whichever came last."""
        self.ensure_one()
        since = max(
            self.last_checkin_date or self.create_date.date(),
            self.cycle_id.date_start,
        )
        return min(since + CADENCE_PERIODS[self.cycle_id.checkin_cadence], today)

    def _okr_schedule_checkin_reminders(self, today, activity_type):
        """One "Check-in due" activity per key result, for its owner, created
        in one batch per company, in that company's context.

        The owner is not sent an assignment e-mail per activity: the activity
        is the reminder, in their activities and on the key result.
        """
        model_id = self.env["ir.model"]._get_id(self._name)
        Activity = self.env["mail.activity"].with_context(
            mail_activity_quick_update=True
        )
        for company in self.company_id:
            key_results = self.filtered(lambda kr, c=company: kr.company_id == c)
            Activity.with_company(company).create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": key_result.id,
                        "activity_type_id": activity_type.id,
                        "summary": activity_type.summary,
                        "user_id": key_result.user_id.id,
                        "date_deadline": key_result._okr_checkin_due_date(today),
                        "automated": True,
                    }
                    for key_result in key_results
                ]
            )

    def _okr_mark_checkin_reminders_done(self):
        """A check-in answers the open "Check-in due" activity of its key
        result, whoever checked in and however (form, typed value, API)."""
        activity_type = self.env.ref(CHECKIN_DUE, raise_if_not_found=False)
        if not self or not activity_type:
            return
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )
        # As the author: they may write the key result they checked in on,
        # which is what marking its activities as done requires.
        activities.action_feedback()

    @api.model
    def _cron_checkin_reminders(self, batch_size=REMINDER_BATCH_SIZE):
        """Daily: a "Check-in due" activity for each key result whose check-in
        is due, ``batch_size`` at a time, with the progress reported so that
        the runner commits and calls again while some remain."""
        activity_type = self.env.ref(CHECKIN_DUE, raise_if_not_found=False)
        if not activity_type or not activity_type.active:
            return
        today = fields.Date.context_today(self)
        domain = self._okr_checkin_due_domain(today, activity_type)
        # sudo: the reminders of every company, whatever the cron's user reads
        KeyResult = self.sudo()
        due = KeyResult.search(domain, limit=batch_size, order="id")
        due._okr_schedule_checkin_reminders(today, activity_type)
        remaining = KeyResult.search_count(domain) if len(due) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(due), remaining=remaining)
