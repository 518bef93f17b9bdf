"""logic.py's unit tests: `python3 -m unittest discover -s components/{name}`."""

import unittest

import logic


class EchoTest(unittest.TestCase):
    def test_echo_returns_its_input(self):
        self.assertEqual(logic.echo("hello"), "hello")
        self.assertEqual(logic.echo(""), "")


if __name__ == "__main__":
    unittest.main()
