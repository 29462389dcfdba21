"""Deliveries are on time by their promised day (18.0.1.1.0): fill the order
facts again, set-based, as the install does, instead of leaving the stored
deadlines and on-time flags of existing deliveries as they were computed."""

from odoo.addons.okr_order_management.hooks import fill_order_facts


def migrate(cr, version):
    if version:
        fill_order_facts(cr)
