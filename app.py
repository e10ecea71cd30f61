"""ontime: the Chalice app. A manifest: create the app, register what the platform and every
workflow package contribute (`chalicelib/registry.py`), nothing else."""

from chalice.app import Chalice

from chalicelib import bootstrap
from chalicelib.http.middleware import problem_bodies_for_framework_errors, request_edges
from chalicelib.push import websocket
from chalicelib.waitstate import handlers

app = Chalice(app_name="ontime")
# Chalice refuses to package/deploy WebSocket handlers unless the app opts in to that feature.
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.register_middleware(request_edges(bootstrap.container), "http")  # outermost: ids, X-Request-Id, CORS
app.register_middleware(problem_bodies_for_framework_errors, "http")

for contribution in bootstrap.contributions():
    for routes in contribution.routes:
        app.register_blueprint(routes.bound_to(bootstrap.container))
app.register_blueprint(handlers.routes)

# On the app, not a blueprint: only the app wraps WebSocket handlers (see chalicelib/push/websocket.py).
connect = app.on_ws_connect()(websocket.connect)
message = app.on_ws_message()(websocket.message)
disconnect = app.on_ws_disconnect()(websocket.disconnect)
