-- Computed columns for PostGraphile over the hub's tables: the figures the hub computes in its
-- resolvers (R8 volunteers in post, R26 places filled) and Q2's relations, as STABLE SQL functions.
-- PostGraphile exposes `posts_filled(p posts)` as Post.filled, and so on. Applied by bench/run.py.
CREATE OR REPLACE FUNCTION posts_filled(p posts) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT count(DISTINCT a.application_id)::integer
    FROM service_agreements a JOIN applications app ON app.id = a.application_id
    WHERE a.post_id = p.id AND app.status = 'IN_SERVICE'
      AND NOT EXISTS (SELECT 1 FROM service_agreements later
                      WHERE later.application_id = a.application_id AND later.term_year > a.term_year)
$$;

CREATE OR REPLACE FUNCTION provinces_in_post(p provinces, year text) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer FROM applications ap
    WHERE ap.serving_province_code = p.code AND ap.status = 'IN_SERVICE'
      AND EXISTS (SELECT 1 FROM service_agreements s
                  WHERE s.application_id = ap.id
                    AND s.starts_on <= make_date(substr($2, 6, 4)::integer, 7, 31)
                    AND s.ends_on >= make_date(substr($2, 1, 4)::integer, 8, 1))
$$;

CREATE OR REPLACE FUNCTION counties_volunteers(c counties, year text) RETURNS SETOF volunteers
LANGUAGE sql STABLE AS $$
    SELECT v.* FROM volunteers v
    WHERE v.id IN (SELECT a.volunteer_id FROM applications a WHERE a.year = $2 AND a.county_code = c.code)
    ORDER BY v.id
$$;

CREATE OR REPLACE FUNCTION volunteers_current_agreement(v volunteers, today date) RETURNS service_agreements
LANGUAGE sql STABLE AS $$
    SELECT a.* FROM service_agreements a
    WHERE a.volunteer_id = v.id AND a.starts_on <= today AND a.ends_on >= today
    ORDER BY a.id DESC LIMIT 1
$$;
