"""Everything a message in the group goes through: the context a handler gets, the order
book (rounds, orders, stock), customers' orders and changes, 接龙 reposts and the lines
remembered between them, 我的订单, and every sentence the bot says (replies)."""
