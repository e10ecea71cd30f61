"""ontime: the Chalice app. A manifest: create the app, register the blueprints, nothing else."""

from chalice.app import Chalice

from chalicelib.blueprints import catalog, customer, health, merchant, timers, websocket
from chalicelib.http.middleware import problem_bodies_for_framework_errors

app = Chalice(app_name="ontime")
app.register_middleware(problem_bodies_for_framework_errors, "http")

app.register_blueprint(health.routes.blueprint)
app.register_blueprint(catalog.routes.blueprint)
app.register_blueprint(customer.routes.blueprint)
app.register_blueprint(merchant.routes.blueprint)
app.register_blueprint(websocket.routes)
app.register_blueprint(timers.routes)
