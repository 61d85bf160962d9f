// The agent's tool. Its output is nondeterministic (it stands for a live weather service), so it
// is read through a named source: recorded live, served from the log on replay.

export const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather for a city.',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const SKIES = ['sunny', 'cloudy', 'rainy', 'windy'];

/** Looks the weather up: a draw from the source, so replay serves what the recording saw. */
export function getWeather(source, city) {
  return source.draw(`tool:get_weather:${city}`, () => ({
    city,
    tempC: 5 + Math.floor(Math.random() * 25),
    sky: SKIES[Math.floor(Math.random() * SKIES.length)],
  }));
}
