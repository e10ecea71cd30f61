"""ontime: the Chalice app. A manifest: create the app, register what the platform and every
workflow package contribute, nothing else.

The routes and the packages' queue-fed functions come from `chalicelib/route_table.py` (generated
from the packages' declarations by `./dev infra`): each route is bound to its view at its first
request and each function imports its handler's module at its first event, so importing this
module, which is a Lambda container's init, imports no view, model, service or handler and calls
nothing.
"""

from chalice.app import Chalice

from chalicelib import bootstrap
from chalicelib.functions import lazy_queue_functions
from chalicelib.http.middleware import problem_bodies_for_framework_errors, request_edges
from chalicelib.http.routing import lazy_blueprints
from chalicelib.push import websocket
from chalicelib.route_table import FUNCTIONS, ROUTES
from chalicelib.waitstate import handlers

app = Chalice(app_name="ontime")
# Chalice refuses to package/deploy WebSocket handlers unless the app opts in to that feature.
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.register_middleware(request_edges(bootstrap.container), "http")  # outermost: ids, X-Request-Id, CORS
app.register_middleware(problem_bodies_for_framework_errors, "http")

for blueprint in lazy_blueprints(ROUTES, bootstrap.container):
    app.register_blueprint(blueprint)
app.register_blueprint(handlers.routes)
for blueprint in lazy_queue_functions(FUNCTIONS):
    app.register_blueprint(blueprint)

# On the app, not a blueprint: only the app wraps WebSocket handlers (see chalicelib/push/websocket.py).
connect = app.on_ws_connect()(websocket.connect)
message = app.on_ws_message()(websocket.message)
disconnect = app.on_ws_disconnect()(websocket.disconnect)
