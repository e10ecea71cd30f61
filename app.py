"""ontime: the Chalice app. A manifest: create the app, register the handlers, nothing else."""

from chalice.app import Chalice

from chalicelib.blueprints import (
    addresses,
    catalog,
    checkout,
    console,
    coupons,
    customer,
    fulfilment,
    health,
    installations,
    installer,
    merchant,
    payments,
    suppliers,
    timers,
    websocket,
)
from chalicelib.http.middleware import problem_bodies_for_framework_errors

app = Chalice(app_name="ontime")
# Chalice refuses to package/deploy WebSocket handlers unless the app opts in to that feature.
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.register_middleware(problem_bodies_for_framework_errors, "http")

app.register_blueprint(health.routes.blueprint)
app.register_blueprint(catalog.routes.blueprint)
app.register_blueprint(customer.routes.blueprint)
app.register_blueprint(merchant.routes.blueprint)
app.register_blueprint(installations.routes.blueprint)
app.register_blueprint(installer.routes.blueprint)
app.register_blueprint(console.routes.blueprint)
app.register_blueprint(suppliers.routes.blueprint)
app.register_blueprint(addresses.routes.blueprint)
app.register_blueprint(checkout.routes.blueprint)
app.register_blueprint(coupons.routes.blueprint)
app.register_blueprint(fulfilment.routes.blueprint)
app.register_blueprint(payments.routes.blueprint)
app.register_blueprint(timers.routes)

# On the app, not a blueprint: only the app wraps WebSocket handlers (see blueprints/websocket.py).
connect = app.on_ws_connect()(websocket.connect)
message = app.on_ws_message()(websocket.message)
disconnect = app.on_ws_disconnect()(websocket.disconnect)
