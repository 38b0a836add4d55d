"""Read-only views of the database: the orders document of the contract."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storage.after_sales import OrderAfterSales, after_sales_by_order
from storage.database import Database
from storage.models import Order, OrderItem, Question, Round
from storage.questions import OPEN


def orders_document(db: Database) -> dict:
    """Orders (not cancelled) and open questions (late entries refused too), as OUT.json lists them."""
    with db.session() as session:
        orders = session.scalars(
            select(Order).where(Order.status != "cancelled").join(Round)
            .options(selectinload(Order.items).joinedload(OrderItem.product))
            .order_by(Order.created_at, Order.id)).all()
        questions = session.scalars(select(Question).where(Question.state == OPEN, Question.settled.is_(False))
                                    .order_by(Question.id)).all()
        after_sales = after_sales_by_order(session)
        return {
            "orders": [
                {"customer": o.customer, "owner": o.owner, "status": o.status,
                 "items": [{"product": i.product.name, "spec": i.spec, "quantity": round(i.quantity, 4)}
                           for i in o.items],
                 "note": o.note,
                 # after sales (售后), beside the contract's fields: yuan refunded, and what was done
                 "refunded": after_sales.get(o.id, OrderAfterSales(o.id)).refunded,
                 "after_sales": after_sales.get(o.id, OrderAfterSales(o.id)).entries}
                for o in orders if o.items
            ],
            "unresolved": [
                {"sender": q.sender, "text": q.text, "reason": q.reason, "suggestions": q.suggestions}
                for q in questions
            ],
        }
