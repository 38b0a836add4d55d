"""The merchant's web page: rounds, orders, pick list, delivery, bills and the questions queue.

Login links are issued by `bot.merchant.login_links` (the chat command 后台
and `jielong login-link`); this package (Starlette, Jinja2, uvicorn) is
imported only when the page is served.
"""
