"""The utility's blueprint, mounted by the core at ``/api/v1/u/payments/``."""

from smartapp.plugin import Blueprint

blueprint = Blueprint(
    "smartapp_payments", __name__, description="Cashless places, fee accounts, VietQR codes, guides"
)
