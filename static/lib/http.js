// The pages' JSON requests to their own server.
//
// Every answer is read as JSON; one that is not (a proxy's error page, a crash) becomes
// `{error: "HTTP <status>"}`, so a page always has a message to show in place.

export function readJSON(response) {
  return response.json().catch(() => ({error: `HTTP ${response.status}`}));
}

// POST a JSON body; {ok, payload}. Django's CSRF check wants the token the page was
// rendered with (its page-config's `csrf`) in X-CSRFToken.
export async function postJSON(url, body, csrf) {
  const response = await fetch(url, {
    method: "POST", headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
    body: JSON.stringify(body),
  });
  return {ok: response.ok, payload: await readJSON(response)};
}

// POST to one of the cluster page's own endpoints, /clusters/<slug>/<path>, with the page's
// CSRF token: the panels name only the endpoint
export const postToCluster = ({slug, csrf}, path, body) =>
  postJSON(`/clusters/${slug}/${path}`, body, csrf);
