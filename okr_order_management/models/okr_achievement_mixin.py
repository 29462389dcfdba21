from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models

from .okr_input import refuse_addon_fields

#: The fields of recognition that only the addon writes.
RECOGNITION_FIELDS = {"achieved_notified_at"}


class OkrAchievementMixin(models.AbstractModel):
    """Recognition of what was achieved (the article's §5.3), for objectives
    and key results.

    The first time one reaches Achieved, its chatter tells its followers and
    the owner's department manager. Once per record, remembered in
    ``achieved_notified_at``: a value that crosses the target back and forth
    at every recompute congratulates nobody twice. The addon's automation
    rules (data/okr_recognition_data.xml) call ``_okr_recognize_achieved``
    on the change of status, whatever made it: a check-in, the recompute, a
    new target, the daily status update.
    """

    _name = "okr.achievement.mixin"
    _description = "OKR Recognition"

    achieved_notified_at = fields.Datetime(
        string="Achievement Announced On",
        readonly=True,
        copy=False,
        help="When the chatter announced that it was achieved: once, the first "
        "time it reached Achieved.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        refuse_addon_fields(
            self, vals_list, lambda field: field.name in RECOGNITION_FIELDS
        )
        return super().create(vals_list)

    def write(self, vals):
        refuse_addon_fields(
            self, [vals], lambda field: field.name in RECOGNITION_FIELDS
        )
        return super().write(vals)

    def _okr_recognize_achieved(self):
        """Announce, once each, those of these records that are achieved and
        were never announced; return them."""
        # sudo: recognition is the system's, whoever's change achieved it
        records = self.sudo().filtered(
            lambda record: (
                record.status == "achieved" and not record.achieved_notified_at
            )
        )
        if not records:
            return records
        records.write({"achieved_notified_at": fields.Datetime.now()})
        author = self.env["res.users"].browse(SUPERUSER_ID).partner_id
        for record in records:
            manager = record._okr_department_manager()
            # In the owner's language: the message is about their work.
            body = record.with_context(lang=record.user_id.lang)._okr_achieved_body()
            record.message_post(
                body=body,
                author_id=author.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=manager.partner_id.ids,
            )
        records._okr_reward_achieved()
        return records

    def _okr_department_manager(self):
        """The user managing the owner's department, in the record's company
        (no one when the owner manages it, or has no such manager)."""
        self.ensure_one()
        employee = self._okr_owner_employee()
        manager = employee.department_id.manager_id.user_id
        return manager if manager != self.user_id else manager.browse()

    def _okr_owner_employee(self):
        """The owner's employee in the record's company."""
        self.ensure_one()
        return self.user_id.sudo().employee_ids.filtered(
            lambda employee: employee.company_id == self.company_id
        )[:1]

    def _okr_achieved_body(self):
        """The announcement, as HTML, in the language of the context."""
        raise NotImplementedError

    def _okr_reward_achieved(self):
        """What else the first achievement brings: nothing by default."""
        return True

    @staticmethod
    def _okr_paragraph(text):
        """``text`` as an HTML paragraph, escaped."""
        return Markup("<p>%s</p>") % text
