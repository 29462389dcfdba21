from odoo.exceptions import UserError


def refuse_order_facts(records, vals_list):
    """The order facts (the stored ``okr_`` fields the addon adds to orders and
    deliveries) follow from the documents: only the addon writes them, as the
    superuser, so that nobody who may edit an order inflates a key result."""
    if records.env.su:
        return
    sent = {
        fname
        for vals in vals_list
        for fname in vals
        if fname.startswith("okr_")
        and fname in records._fields
        and records._fields[fname].store
    }
    if sent:
        raise UserError(
            records.env._(
                "These fields are set by the addon only: %(fields)s.",
                fields=", ".join(
                    records._fields[fname]._description_string(records.env)
                    for fname in sorted(sent)
                ),
            )
        )
