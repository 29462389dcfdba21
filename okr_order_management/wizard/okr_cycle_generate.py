from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_list

from ..models.okr_input import check_input


class OkrCycleGenerate(models.TransientModel):
    """Create the four quarterly cycles of a year in one go."""

    _name = "okr.cycle.generate"
    _description = "Generate Quarterly OKR Cycles"

    year = fields.Integer(
        required=True, default=lambda self: fields.Date.context_today(self).year
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    activate_current = fields.Boolean(
        string="Activate the current quarter",
        default=True,
        help="Set the quarter that contains today to Active.",
    )

    @api.constrains("year")
    def _check_year(self):
        for wizard in self:
            if not 1900 <= wizard.year <= 2999:
                raise ValidationError(
                    self.env._(
                        "%(year)s is not a valid year: enter a year such as "
                        "%(example)s.",
                        year=wizard.year,
                        example=fields.Date.context_today(self).year,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        return super().write(vals)

    def _quarter_bounds(self):
        self.ensure_one()
        for quarter in range(4):
            date_start = date(self.year, 3 * quarter + 1, 1)
            yield quarter + 1, date_start, date_start + relativedelta(months=3, days=-1)

    def action_generate(self):
        """Create the quarters of the year that no cycle of the company
        overlaps yet (the demo's, say), and tell what was created and skipped."""
        self.ensure_one()
        cycles = self.env["okr.cycle"]
        existing = cycles.search(
            [
                ("company_id", "=", self.company_id.id),
                ("date_start", "<=", date(self.year, 12, 31)),
                ("date_end", ">=", date(self.year, 1, 1)),
            ]
        )
        today = fields.Date.context_today(self)
        to_create, skipped = [], []
        for quarter, date_start, date_end in self._quarter_bounds():
            name = self.env._("%(year)s Q%(quarter)s", year=self.year, quarter=quarter)
            if any(
                cycle.date_start <= date_end and cycle.date_end >= date_start
                for cycle in existing
            ):
                skipped.append(name)
                continue
            to_create.append(
                {
                    "name": name,
                    "date_start": date_start,
                    "date_end": date_end,
                    "company_id": self.company_id.id,
                    "state": "active"
                    if self.activate_current and date_start <= today <= date_end
                    else "draft",
                }
            )
        if not to_create:
            raise UserError(
                self.env._(
                    "%(company)s already has cycles over every quarter of "
                    "%(year)s (%(cycles)s): nothing to generate. Pick another "
                    "year, or change those cycles.",
                    company=self.company_id.name,
                    year=self.year,
                    cycles=format_list(self.env, existing.mapped("name")),
                )
            )
        created = cycles.create(to_create)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "okr_order_management.okr_cycle_action"
        )
        action["domain"] = [("id", "in", (existing | created).ids)]
        created_names = format_list(self.env, created.mapped("name"))
        message = self.env._("Created %(created)s.", created=created_names)
        if skipped:
            message = self.env._(
                "Created %(created)s. Skipped %(skipped)s: cycles of %(company)s "
                "already cover them (%(cycles)s).",
                created=created_names,
                skipped=format_list(self.env, skipped),
                company=self.company_id.name,
                cycles=format_list(self.env, existing.mapped("name")),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Quarters generated"),
                "message": message,
                "type": "warning" if skipped else "success",
                "sticky": bool(skipped),
                "next": action,
            },
        }
