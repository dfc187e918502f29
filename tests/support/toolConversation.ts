// A conversation with a tool, in the OpenAI wire shape: the tool offered, a question, the model's call
// (a Mistral-style 9-character id), its result, the answer and a follow-up. For tests that render
// chat templates (golden prompts, /apply-template through a gateway, token counts).
export const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

export const toolConversation = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Weather in Lyon?" },
  {
    role: "assistant",
    content: "",
    tool_calls: [
      { id: "abc123def", type: "function", function: { name: "get_weather", arguments: '{"city": "Lyon"}' } },
    ],
  },
  { role: "tool", tool_call_id: "abc123def", content: "sunny" },
  { role: "assistant", content: "It is sunny." },
  { role: "user", content: "And tomorrow?" },
];
