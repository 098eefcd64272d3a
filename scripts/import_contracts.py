"""An import-linter contract type: no import cycle between any two modules.

``acyclic_modules`` checks the whole module graph of the root packages (every import, those
inside functions included, as grimp reads them) and reports each cycle it finds (its
strongly connected modules and one import chain around it). import-linter's own
``acyclic_siblings`` works per package level; this one also catches a module importing its
own package's ``__init__`` that imports it back. Used by ``make lint`` (see .importlinter).
"""

from __future__ import annotations

import grimp
from importlinter.application import output
from importlinter.domain.contract import Contract, ContractCheck


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of two or more modules that import each other, directly or not (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    group.append(m)
                    if m == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


class AcyclicModulesContract(Contract):
    type_name = "acyclic_modules"

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        groups = cycles(graph)
        chains = []
        for group in groups:
            first, rest = group[0], set(group[1:])
            back = next(m for m in sorted(rest) if graph.find_shortest_chain(importer=m, imported=first))
            chains.append([*graph.find_shortest_chain(importer=first, imported=back),
                           *graph.find_shortest_chain(importer=back, imported=first)[1:]])
        return ContractCheck(kept=not groups, metadata={"groups": groups, "chains": chains})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for group, chain in zip(check.metadata["groups"], check.metadata["chains"], strict=True):
            output.print_error(f"{len(group)} modules import each other: {', '.join(group)}")
            output.indent_cursor()
            output.print_error(" -> ".join(chain), bold=False)
            output.new_line()
