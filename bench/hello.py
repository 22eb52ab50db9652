"""The bare-Flask baseline every benchmark measures beside the app."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"
