// What "/" shows when the playground has not been built (no dist/web): how to build it.

export const PLAYGROUND_NOT_BUILT_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>inferql: playground not built</title>
</head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>inferql is running</h1>
<p>The web playground has not been built yet. Build it with</p>
<pre><code>npm run build:web</code></pre>
<p>(<code>npm install</code> and <code>npm start</code> build it too), then reload this page.</p>
<p>Meanwhile, GraphiQL is at <a href="/graphql">/graphql</a> and the OpenAI-compatible API at <code>/v1</code>.</p>
</body>
</html>
`;
