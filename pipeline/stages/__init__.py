"""Pipeline stages. Each is a plain streaming function::

    def stage(records: Iterable[Record], *, settings: Settings) -> Iterator[Record]

reading the records it is given and yielding them enriched; no global state, no Airflow.
"""
