"""How messages reach the bot and its replies reach people: Wechaty (WeChat), the console,
a recorded chat (replay), and the outbox delivery they share."""
