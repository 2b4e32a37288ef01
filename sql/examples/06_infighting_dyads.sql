-- Question: which rebel groups fought each other, how often, and when?
-- How to read the answer: one row per pair of actors that were both on the rebels side
--   at the event date (actor1 / actor2 as the article named them; the order does not
--   imply who attacked). `events` counts incidents, `fatalities_best` their reconciled
--   deaths, `first_event` / `last_event` the span. 'Opposition Rebels (Syria)' is the
--   generic actor for unnamed brigades ("rebels clashed with rebels").
SELECT
    actor1,
    actor2,
    events,
    fatalities_best,
    first_event,
    last_event
FROM actor_dyads
WHERE is_infighting
ORDER BY events DESC, fatalities_best DESC, actor1, actor2;
