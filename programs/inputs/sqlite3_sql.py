"""Writes a deterministic SQL script for the sqlite3 program (programs/sqlite3.toml).

Usage: sqlite3_sql.py --seed N --out FILE --customers C --orders O
"""

import argparse
import random

REGIONS = ("north", "south", "east", "west", "centre")
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
         "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa")
BATCH = 1000

QUERIES = """\
SELECT c.region, count(*), sum(o.amount), max(o.amount)
  FROM orders o JOIN customers c ON c.id = o.customer GROUP BY c.region ORDER BY c.region;
SELECT c.name, count(o.id) AS n, sum(o.amount) AS total
  FROM customers c LEFT JOIN orders o ON o.customer = c.id
  GROUP BY c.id ORDER BY total DESC, c.id LIMIT 20;
SELECT o.item, count(DISTINCT o.customer), avg(o.amount)
  FROM orders o JOIN items i ON i.name = o.item GROUP BY o.item ORDER BY o.item;
SELECT count(*), sum(length(note)) FROM orders WHERE note LIKE '%delta%';
"""


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def write(out, rng: random.Random, customers: int, orders: int) -> None:
    out.write("PRAGMA journal_mode=OFF;\nPRAGMA synchronous=OFF;\n.mode list\n")
    out.write("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, region TEXT);\n")
    out.write("CREATE TABLE items(name TEXT PRIMARY KEY, price INTEGER);\n")
    out.write("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, item TEXT, "
              "amount INTEGER, note TEXT);\n")
    for w in WORDS:
        out.write(f"INSERT INTO items VALUES('{w}', {rng.randint(1, 500)});\n")
    for start in range(0, customers, BATCH):
        out.write("BEGIN;\n")
        for i in range(start, min(start + BATCH, customers)):
            out.write(f"INSERT INTO customers VALUES({i}, '{words(rng, 2)} {i}', "
                      f"'{rng.choice(REGIONS)}');\n")
        out.write("COMMIT;\n")
    for start in range(0, orders, BATCH):
        out.write("BEGIN;\n")
        for i in range(start, min(start + BATCH, orders)):
            out.write(f"INSERT INTO orders VALUES({i}, {rng.randrange(customers)}, "
                      f"'{rng.choice(WORDS)}', {rng.randint(1, 10000)}, "
                      f"'{words(rng, rng.randint(1, 12))}');\n")
        out.write("COMMIT;\n")
    out.write("CREATE INDEX orders_customer ON orders(customer);\n")
    out.write("CREATE INDEX orders_item ON orders(item, amount);\n")
    out.write(QUERIES)
    out.write("BEGIN;\nUPDATE orders SET amount = amount * 2 WHERE item IN ('alpha', 'kilo');\n")
    out.write("UPDATE customers SET region = 'north' WHERE id % 7 = 0;\n")
    out.write("DELETE FROM orders WHERE amount < 1500;\n")
    out.write("DELETE FROM customers WHERE id % 11 = 0;\nCOMMIT;\n")
    out.write(QUERIES)
    out.write("SELECT count(*) FROM orders o WHERE NOT EXISTS "
              "(SELECT 1 FROM customers c WHERE c.id = o.customer);\n")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--customers", type=int, required=True)
    p.add_argument("--orders", type=int, required=True)
    a = p.parse_args()
    with open(a.out, "w") as out:
        write(out, random.Random(a.seed), a.customers, a.orders)


if __name__ == "__main__":
    main()
