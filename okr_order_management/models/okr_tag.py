from random import randint

from odoo import api, fields, models

from .okr_input import check_input


class OkrTag(models.Model):
    """Free labels to group objectives across cycles and departments."""

    _name = "okr.tag"
    _description = "OKR Tag"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer(default=lambda self: randint(1, 11))
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique (name)", "An OKR tag with this name already exists."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        return super().write(vals)
