-- Messages recorded lost (`flinkfast lost --record`: deleted from the topic before the job read
-- them), on every topic and at any time: they are in no table, and this says how many.
SELECT coalesce(sum(end_offset - first_offset), 0)::bigint AS messages,
       count(*)                                             AS ranges
  FROM lost_messages;
