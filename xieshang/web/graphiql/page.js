// Starts GraphiQL on xieshang's own /graphql page. A file of its own (not an inline script) so
// that the page's Content-Security-Policy can allow scripts from 'self' only.
(function () {
  "use strict";

  var EXAMPLE = [
    "# xieshang（协商）GraphiQL：Ctrl-Enter 运行查询 · Ctrl-Space 补全",
    "# 登录后把访问令牌填入下方 Headers：{\"Authorization\": \"Bearer <访问令牌>\"}",
    "{",
    "  county(code: \"511323\") { name city province }",
    "  studios { totalCount }",
    "}",
    "",
  ].join("\n");

  var params = new URLSearchParams(window.location.search);
  var url = window.location.origin + window.location.pathname;
  var subscriptionUrl = url.replace(/^http/, "ws");

  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: subscriptionUrl });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  function updateURL(key, value) {
    if (value) {
      params.set(key, value);
    } else {
      params.delete(key);
    }
    var search = params.toString();
    history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  function Page() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: EXAMPLE,
      // `q` rather than `query`: GET /graphql?query=… runs the query instead of opening this page.
      query: params.get("q") || undefined,
      variables: params.get("variables") || undefined,
      onEditQuery: function (value) { updateURL("q", value); },
      onEditVariables: function (value) { updateURL("variables", value); },
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // Tokens stay in this tab's memory; they are not written to localStorage.
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(Page));
})();
