"""Record whether the install adopted the company's "Complaint" tag (18.0.1.2.0).

Earlier versions adopted an existing tag without saying so, and uninstalling then
deleted it. The adopted tag is the one created before its external id: a tag the
addon's data made is created in the same transaction as its external id, with
the same timestamp."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

from odoo.addons.okr_order_management.hooks import (
    COMPLAINT_ADOPTED_PARAM,
    COMPLAINT_XMLID,
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """SELECT tag.id FROM ir_model_data data
                 JOIN crm_tag tag ON tag.id = data.res_id
                WHERE data.module = %s AND data.name = %s AND data.model = 'crm.tag'
                  AND tag.create_date < data.create_date""",
            *COMPLAINT_XMLID,
        )
    )
    row = cr.fetchone()
    if row:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["ir.config_parameter"].set_param(COMPLAINT_ADOPTED_PARAM, row[0])
