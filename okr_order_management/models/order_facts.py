from .okr_input import refuse_addon_fields


def refuse_order_facts(records, vals_list):
    """The order facts (the stored ``okr_`` fields the addon adds to orders and
    deliveries) follow from the documents: only the addon writes them, as the
    superuser, so that nobody who may edit an order inflates a key result."""
    refuse_addon_fields(
        records,
        vals_list,
        lambda field: field.name.startswith("okr_") and field.store,
    )
