"""The `jielong` command (and `python -m bot`): bot/cli.py, with the cyclic
garbage collector off while the command starts.

Start-up imports SQLAlchemy, lark and the project and builds the mappers and
parsers: hundreds of thousands of objects made and almost none freed, so the
collections that the allocations trigger walk an ever larger heap and find
nothing (about a tenth of a `jielong replay`). Once a command has started,
bot/cli.py freezes what start-up made and turns the collector back on
(`cli.start_up_done`); `jielong parse` ends before that matters.
"""
import gc


def main() -> None:
    gc.disable()
    from bot.cli import main as cli       # deferred: after the collector is off

    cli()


if __name__ == "__main__":
    main()
