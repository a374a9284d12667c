/*
 * Bootstrap for the Winnerr GraphiQL page, served at /graphiql/static/init.js.
 *
 * Kept out of page.html so the page works under a strict CSP (default-src 'self').
 * Expects the UMD globals React, ReactDOM, graphqlWs and GraphiQL to be loaded
 * first (page.html loads them with `defer`, which preserves order).
 *
 * The login bar posts e-mail and password to /auth/token and keeps the access
 * token in sessionStorage (gone when the tab closes). While logged in, every
 * request carries it as `Authorization: Bearer …` (HTTP) or in connection_init
 * (websockets), whatever the Headers tab says; logged out, the Headers tab's
 * own Authorization header is used. Logging in re-mounts GraphiQL, so it
 * fetches the schema again by itself.
 */
(function () {
  'use strict';

  var GRAPHQL_PATH = '/graphql';
  var TOKEN_PATH = '/auth/token';
  var TOKEN_KEY = 'winnerr.graphiql.accessToken';
  var EMAIL_KEY = 'winnerr.graphiql.email';
  var LOG_IN_FIRST =
    'Log in with the form above (or paste {"Authorization": "Bearer <token>"} into the Headers tab), ' +
    'then run the query again.';
  var WS_URL =
    (window.location.protocol === 'https:' ? 'wss:' : 'ws:') +
    '//' +
    window.location.host +
    GRAPHQL_PATH;

  var elements = {
    login: document.getElementById('login'),
    email: document.getElementById('login-email'),
    password: document.getElementById('login-password'),
    loggedIn: document.getElementById('logged-in'),
    status: document.getElementById('login-status'),
    logout: document.getElementById('logout'),
    error: document.getElementById('login-error'),
  };

  function storedToken() {
    return window.sessionStorage.getItem(TOKEN_KEY);
  }

  function hasAuthorization(headers) {
    return Object.keys(headers).some(function (name) {
      return name.toLowerCase() === 'authorization';
    });
  }

  // The editor's headers, with the logged-in token (if any) as their Authorization.
  function withToken(headers) {
    var token = storedToken();
    var merged = {};
    Object.keys(headers || {}).forEach(function (name) {
      if (!(token && name.toLowerCase() === 'authorization')) {
        merged[name] = headers[name];
      }
    });
    if (token) {
      merged.Authorization = 'Bearer ' + token;
    }
    return merged;
  }

  // Headers as last passed to the fetcher. They go on HTTP requests; for
  // websockets they are the connection_init payload (connectionParams).
  var currentHeaders = {};
  var client = null;
  var clientKey = null;

  // One lazy graphql-ws client, re-created when the headers change
  // (connectionParams are only sent once, when the socket connects).
  function wsClientFor(headers) {
    var key = JSON.stringify(headers);
    if (client === null || key !== clientKey) {
      if (client !== null) {
        client.dispose();
      }
      clientKey = key;
      client = graphqlWs.createClient({url: WS_URL, lazy: true, connectionParams: headers});
    }
    return client;
  }

  // GraphiQL's createFetcher only calls wsClient.subscribe(payload, sink).
  var wsClient = {
    subscribe: function (payload, sink) {
      return wsClientFor(currentHeaders).subscribe(payload, sink);
    },
  };

  var baseFetcher = GraphiQL.createFetcher({
    url: GRAPHQL_PATH,
    subscriptionUrl: WS_URL,
    wsClient: wsClient,
  });

  function isUnauthenticated(result) {
    return Boolean(
      result && result.errors && result.errors.some(function (error) {
        return error.extensions && error.extensions.code === 'UNAUTHENTICATED';
      })
    );
  }

  function fetcher(graphQLParams, opts) {
    currentHeaders = withToken(opts && opts.headers);
    if (!hasAuthorization(currentHeaders)) {
      return Promise.resolve({errors: [{message: LOG_IN_FIRST}]});
    }
    var result = baseFetcher(graphQLParams, Object.assign({}, opts, {headers: currentHeaders}));
    if (result && typeof result.then === 'function') {
      return result.then(function (body) {
        if (isUnauthenticated(body) && storedToken()) {
          logOut('Your session has expired: log in again.');
        }
        return body;
      });
    }
    return result;
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var generation = 0;

  // A new key re-mounts GraphiQL, which then fetches the schema with the new token.
  function render() {
    generation += 1;
    root.render(
      React.createElement(GraphiQL, {
        key: 'session-' + generation,
        fetcher: fetcher,
        isHeadersEditorEnabled: true, // graphiql 3.x name of headerEditorEnabled
        shouldPersistHeaders: true,
      })
    );
  }

  function showSession(message) {
    var token = storedToken();
    elements.login.hidden = Boolean(token);
    elements.loggedIn.hidden = !token;
    elements.status.textContent = token ? 'Logged in as ' + window.sessionStorage.getItem(EMAIL_KEY) : '';
    elements.error.textContent = message || '';
  }

  function logOut(message) {
    window.sessionStorage.removeItem(TOKEN_KEY);
    window.sessionStorage.removeItem(EMAIL_KEY);
    showSession(message);
    render();
  }

  function refusal(body) {
    if (body && body.error_description) {
      return body.error_description;
    }
    return 'Login failed.';
  }

  elements.login.addEventListener('submit', function (event) {
    event.preventDefault();
    var email = elements.email.value.trim();
    elements.error.textContent = 'Logging in…';
    fetch(TOKEN_PATH, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', Accept: 'application/json'},
      body: JSON.stringify({grant_type: 'password', email: email, password: elements.password.value}),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            throw new Error(refusal(body));
          }
          window.sessionStorage.setItem(TOKEN_KEY, body.access_token);
          window.sessionStorage.setItem(EMAIL_KEY, email);
          elements.password.value = '';
          showSession('');
          render();
        });
      })
      .catch(function (error) {
        elements.error.textContent = error.message;
      });
  });

  elements.logout.addEventListener('click', function () {
    logOut('');
  });

  showSession('');
  render();
})();
