"""The demo project `make run` loads into an empty database: buildings and units (project),
three months of customers (customers), deals, who deals belong to (credit), changes, special
discounts and a launch, each made through the same services the office uses. Never business
rules: those live in app/services."""
from app.demo.project import DataExists, demo_password, load_demo

__all__ = ["DataExists", "demo_password", "load_demo"]
