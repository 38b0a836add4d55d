"""The chat's commands, declared once: verbs, who may run them, help, handler.

Each module that owns a command declares it as a `ChatCommand` next to its
handler (`bot/merchant/rounds.py`: 开团 截单, ...); the composition root
(`bot/app.py`) collects them into one `Registry`, in the order 帮助 lists
them. The dispatcher asks the registry which command a message is and
whether its sender may run it, and 帮助 is generated from it, so the help can
never drift from what exists. Arguments are parsed by the grammar
(`grammar/command.lark`, `parsers/commands.py`), whose rule names are the
commands' names. A verb is the same with a leading "/" or "@bot":
`Context.command_text` takes those off before parsing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from bot.chat import replies
from bot.chat.context import Context
from parsers.commands import Command, parse_command

Handler = Callable[[Context, Command], None]


class Who(Enum):
    """Who may run a command."""

    MERCHANT = "merchant"     # the room's admins
    CUSTOMER = "customer"     # customers only
    EVERYONE = "everyone"     # customers and the merchant


@dataclass(frozen=True)
class ChatCommand:
    name: str                          # the grammar rule that parses it: open_round, summary, ...
    verbs: tuple[str, ...]             # the words that start it: ("收款", "催款")
    who: Who
    usage: str                         # as 帮助 lists it: "汇总 [图/上一团]"
    help: str                          # what it does, one line
    handler: Handler
    # Words of this command a customer also starts their own messages with (取消 their order):
    # a customer's unparsed line starting with one is never answered as a merchant command.
    customers_say: tuple[str, ...] = ()
    # A customer's message whose first word is a verb of this command is answered as a merchant
    # command even when not addressed to the bot (库存 is not how an order starts).
    unmistakable: bool = False
    hidden: bool = False               # not listed by 帮助 (绑定: only whoever started the bot has its code)
    # The merchant may also send it to the bot privately (后台: the link comes back there).
    private: bool = False

    @property
    def for_merchant(self) -> bool:
        return self.who in (Who.MERCHANT, Who.EVERYONE)

    @property
    def for_customers(self) -> bool:
        return self.who in (Who.CUSTOMER, Who.EVERYONE)


class Registry:
    """Every chat command, in the order 帮助 lists them, and 帮助 itself last."""

    def __init__(self, commands: Iterable[ChatCommand]) -> None:
        self.commands: tuple[ChatCommand, ...] = (*commands, ChatCommand(
            "help", ("帮助",), Who.EVERYONE, "帮助", "显示这段说明", self._show_help))
        self._by_name = {c.name: c for c in self.commands}
        verbs = [v for c in self.commands for v in c.verbs]
        if len(self._by_name) != len(self.commands) or len(set(verbs)) != len(verbs):
            raise ValueError("two chat commands share a name or a verb")
        customer_words = tuple(w for c in self.commands for w in c.customers_say)
        # Verbs a customer might type by accident; they are answered, never run.
        self._merchant_words = tuple(v for c in self.for_merchant_only() if c.name != "help" for v in c.verbs
                                     if not v.startswith(customer_words))
        self._unmistakable = frozenset(v for c in self.commands if c.unmistakable for v in c.verbs)

    def __iter__(self):
        return iter(self.commands)

    def get(self, name: str) -> ChatCommand | None:
        return self._by_name.get(name)

    def find(self, line: str) -> tuple[ChatCommand, Command] | None:
        """The command a line (leading "/" and @bot removed) is, with its parsed arguments."""
        command = parse_command(line)
        entry = self._by_name.get(command.verb) if command is not None else None
        return (entry, command) if entry is not None else None

    def looks_like_merchant_command(self, line: str, *, addressed: bool) -> bool:
        """A line that did not parse but starts like a merchant command: said to the bot (or
        with "/"), or with a first word that can only be the command."""
        return line.startswith(self._merchant_words) and (addressed or line.split(" ")[0] in self._unmistakable)

    def for_customers(self) -> list[ChatCommand]:
        """The customers' own commands (帮助, which everyone may ask, is listed with the merchant's)."""
        return [c for c in self.commands if c.for_customers and c.name != "help"]

    def for_merchant_only(self) -> list[ChatCommand]:
        return [c for c in self.commands if not c.for_customers or c.name == "help"]

    def help_text(self, *, merchant: bool) -> str:
        """帮助: the customers' commands, and for the merchant theirs too."""
        customers = [(c.help, c.usage) for c in self.for_customers() if not c.hidden]
        if not merchant:
            return replies.customer_help(customers)
        return replies.merchant_help(customers, [c.usage for c in self.for_merchant_only() if not c.hidden])

    def _show_help(self, ctx: Context, command: Command) -> None:
        ctx.say(self.help_text(merchant=ctx.is_admin), mention=False)
