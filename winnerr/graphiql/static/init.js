/*
 * Bootstrap for the Winnerr GraphiQL page, served at /graphiql/static/init.js.
 *
 * Kept out of page.html so the page works under a strict CSP (script-src 'self').
 * Expects the UMD globals React, ReactDOM, graphqlWs and GraphiQL to be loaded
 * first (page.html loads them with `defer`, which preserves order).
 */
(function () {
  'use strict';

  var GRAPHQL_PATH = '/graphql';
  var WS_URL =
    (window.location.protocol === 'https:' ? 'wss:' : 'ws:') +
    '//' +
    window.location.host +
    GRAPHQL_PATH;
  var DEFAULT_HEADERS = JSON.stringify(
    {
      Authorization:
        'Bearer <paste a token from: winnerr token --email owner@demo.example.com>',
    },
    null,
    2
  );

  // Headers from GraphiQL's header editor, as last passed to the fetcher. They
  // go on HTTP requests automatically; for websockets they are sent as the
  // connection_init payload (connectionParams) instead.
  var currentHeaders = {};
  var client = null;
  var clientKey = null;

  // One lazy graphql-ws client, re-created when the editor headers change
  // (connectionParams are only sent once, when the socket connects).
  function wsClientFor(headers) {
    var key = JSON.stringify(headers);
    if (client === null || key !== clientKey) {
      if (client !== null) {
        client.dispose();
      }
      clientKey = key;
      client = graphqlWs.createClient({
        url: WS_URL,
        lazy: true,
        connectionParams: headers,
      });
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

  function fetcher(graphQLParams, opts) {
    currentHeaders = (opts && opts.headers) || {};
    return baseFetcher(graphQLParams, opts);
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: DEFAULT_HEADERS,
      isHeadersEditorEnabled: true, // graphiql 3.x name of headerEditorEnabled
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: 'headers',
    })
  );
})();
